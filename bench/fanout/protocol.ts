// What the fanout bench's processes say to each other over IPC, and the latency histogram
// the client processes fill (5 million latencies don't travel; their histogram does).
import { performance } from 'node:perf_hooks';

/**
 * `buildcast-e2e` is Buildcast driven through its API: the builds are replays the
 * runner-worker commits, not the bench's own appends (see buildcast-stack.ts).
 * `relay-pg` (opt-in) is the relay fed by the Buildcast publisher (Postgres appends): the
 * floor for delivery when persistence shares the machine, to tell the gateway's cost from
 * Postgres's.
 */
export type TargetName =
  'buildcast' | 'buildcast-e2e' | 'socketio' | 'relay' | 'relay-pg' | 'buildcast-redis';
/** How a client talks to a target: plain WebSocket JSON frames, or the Socket.IO client. */
export type ClientProtocol = 'ws' | 'socketio';

export interface Room {
  projectId: string;
  sessionId: string;
}
export const roomKey = (room: Room): string => `${room.projectId}:${room.sessionId}`;

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Orchestrator → client process. */
export type ToClients =
  | {
      type: 'connect';
      protocol: ClientProtocol;
      /** ws://host:port/ws for `ws`, http://host:port for `socketio`. */
      url: string;
      rooms: Array<Room & { count: number }>;
      /** Expected seqs per room, to size the receive-time arrays (they grow if needed). */
      capacity: number;
      concurrency: number;
      /**
       * ws only: connect and authenticate without a room; `rooms` name slots, not sessions,
       * until `subscribe` maps each slot to the session it watches (a build started later).
       */
      deferred?: boolean;
    }
  | {
      /** Each socket of a slot sends `subscribe` (since 0) for that slot's session. */
      type: 'subscribe';
      rooms: Record<string, Room>;
    }
  | {
      /** Publishing is over: wait until every socket is current, then report. */
      type: 'finish';
      rooms: Record<string, { lastSeq: number; commitTimes: number[] }>;
      timeoutMs: number;
      /**
       * Latencies of live seqs only: committed after the socket's `subscribed` arrived (a
       * socket that subscribed to a running build got the earlier ones by catch-up).
       */
      liveOnly?: boolean;
    }
  | { type: 'counters' }
  | { type: 'close' };

export interface Counters {
  sockets: number;
  /** Frames that carried events (one per event for the comparators, one per batch for buildcast). */
  eventFrames: number;
  /** App-level heartbeat messages, and ws / engine.io pings seen. */
  heartbeats: number;
  pings: number;
  /** Sockets the server closed (or that errored) after they were up. */
  closed: number;
  /** Frames that were neither events nor known control messages (resync, error, ...). */
  other: Record<string, number>;
}

export interface FinishReport extends Counters {
  /** Sockets that saw the room's last seq before the timeout. */
  currentSockets: number;
  /** Wall time at which the last of this process's sockets became current (NaN if none). */
  lastCurrentAt: number;
  /** Seqs (summed over sockets) covered more than once, and never covered. */
  duplicateSeqs: number;
  missingSeqs: number;
  histogram: Array<[number, number]>;
}

/** Client process → orchestrator. */
export type FromClients =
  | { type: 'connected'; sockets: number; failed: number; errors: string[] }
  | ({ type: 'finished' } & FinishReport)
  | ({ type: 'counters' } & Counters)
  | { type: 'subscribing'; sockets: number };

/**
 * Log-bucketed latency histogram, 1 % relative precision from 0.01 ms up; merging is adding
 * counts. Percentiles report the bucket's upper bound (conservative by < 1 %).
 */
export class Histogram {
  private static readonly BASE = 0.01;
  private static readonly GROWTH = Math.log(1.01);
  readonly counts = new Map<number, number>();

  add(ms: number, count = 1): void {
    const bucket = ms <= Histogram.BASE ? 0 : Math.ceil(Math.log(ms / Histogram.BASE) / Histogram.GROWTH);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
  }

  merge(entries: Array<[number, number]>): void {
    for (const [bucket, count] of entries) this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  percentile(p: number): number {
    const total = this.total;
    if (total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket)!;
      if (seen >= rank) return Histogram.BASE * Math.exp(bucket * Histogram.GROWTH);
    }
    return NaN;
  }

  entries(): Array<[number, number]> {
    return [...this.counts.entries()];
  }
}
