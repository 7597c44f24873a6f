import { Injectable } from '@nestjs/common';
import { ExpiringSlots, SlotStores, type SlotAnswer } from './expiring-slots.js';

/**
 * Slots in this process's memory, for the Postgres transport: it runs one API and one
 * gateway, so a process's own count is the whole count. `now` is injectable for the spec.
 */
export class MemorySlots extends ExpiringSlots {
  private readonly sets = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = () => performance.now()) {
    super();
  }

  take(key: string, member: string, ttlMs: number, limit: number): Promise<SlotAnswer> {
    const members = this.live(key);
    if (members.size >= limit) {
      const earliest = Math.min(...members.values());
      return Promise.resolve({ taken: false, retryAfterMs: Math.max(0, Math.ceil(earliest - this.now())) });
    }
    members.set(member, this.now() + ttlMs);
    this.sets.set(key, members);
    return Promise.resolve({ taken: true });
  }

  refresh(key: string, members: readonly string[], ttlMs: number): Promise<void> {
    const set = this.sets.get(key);
    for (const member of members) if (set?.has(member)) set.set(member, this.now() + ttlMs);
    return Promise.resolve();
  }

  release(key: string, member: string): Promise<void> {
    const set = this.sets.get(key);
    set?.delete(member);
    if (set?.size === 0) this.sets.delete(key);
    return Promise.resolve();
  }

  /** The key's unexpired members (expired ones are dropped). */
  private live(key: string): Map<string, number> {
    const set = this.sets.get(key) ?? new Map<string, number>();
    const now = this.now();
    for (const [member, expiresAt] of set) if (expiresAt <= now) set.delete(member);
    return set;
  }
}

@Injectable()
export class MemorySlotStores extends SlotStores {
  open(): ExpiringSlots {
    return new MemorySlots();
  }
}
