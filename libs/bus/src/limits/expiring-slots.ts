export type SlotAnswer =
  | { taken: true }
  | { taken: false; retryAfterMs: number }
  /** The store did not answer: the limit is not enforced (fail open). */
  | { taken: null };

/**
 * Concurrency limits (a credential's long-polls, an IP's sockets): a set of members per
 * limited thing, each with an expiry. A member is removed when its holder ends; should a
 * process crash, its members expire (the TTL is the safety net), so nothing stays counted
 * for ever.
 */
export abstract class ExpiringSlots {
  /** Takes a slot for `member` if fewer than `limit` unexpired members hold one. */
  abstract take(key: string, member: string, ttlMs: number, limit: number): Promise<SlotAnswer>;

  /** Pushes the expiry of members that are still held `ttlMs` ahead (best effort). */
  abstract refresh(key: string, members: readonly string[], ttlMs: number): Promise<void>;

  /** Gives a slot back (best effort: a member that cannot be removed expires by itself). */
  abstract release(key: string, member: string): Promise<void>;
}

/** Makes the slot sets of one kind of limit (`what` names it in logs). */
export abstract class SlotStores {
  abstract open(what: string): ExpiringSlots;
}
