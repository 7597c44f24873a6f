/** One message for one channel; subscribers get it parsed, and as sent (`raw`). */
export interface Announcement {
  channel: string;
  message: object;
}

/**
 * Rings doorbells: Redis PUBLISH or Postgres NOTIFY. Throws when it could not (the caller
 * decides what that means: a commit path logs it, a cancel request answers 503).
 */
export abstract class ChannelPublisher {
  /**
   * False for Postgres NOTIFY (payloads of at most 8 KB): committed events are announced as
   * seq ranges, and readers take the events from Postgres by seq.
   */
  abstract readonly carriesEventBodies: boolean;

  abstract publish(announcements: readonly Announcement[]): Promise<void>;
}
