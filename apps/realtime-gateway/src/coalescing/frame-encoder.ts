import type { BuildEvent, ServerMessageMap } from '#contracts';
import { sliceByBytes } from './byte-slices.js';
import type { EventBatch } from './coalescer.js';

/** An `events` frame, serialized once for every socket, and the batch it carries. */
export interface EventFrame {
  readonly batch: EventBatch;
  readonly frame: Buffer;
}

/**
 * Turns one session's batches into `events` frames whose events weigh at most `budget` bytes
 * (an event bigger than that travels alone), so no socket is ever handed much more than its
 * limit at once. Each event is JSON-encoded once, for measuring and for the frame; the
 * running average of their sizes sizes the room's catch-up reads.
 */
export class FrameEncoder {
  private average: number | undefined;

  constructor(
    private readonly projectId: string,
    private readonly sessionId: string,
    private readonly budget: number,
  ) {}

  /** The encoded size of this session's events, on average (undefined before any batch). */
  get averageEventBytes(): number | undefined {
    return this.average;
  }

  encode(batch: EventBatch): EventFrame[] {
    const encoded = new Map<BuildEvent, string>();
    const json = (event: BuildEvent): string => {
      let text = encoded.get(event);
      if (text === undefined) encoded.set(event, (text = JSON.stringify(event)));
      return text;
    };
    let bytes = 0;
    const sizeOf = (event: BuildEvent) => {
      const size = Buffer.byteLength(json(event));
      bytes += size;
      return size;
    };
    const slices = sliceByBytes(batch, this.budget, sizeOf);
    if (batch.events.length > 0) {
      const average = bytes / batch.events.length;
      this.average = (this.average ?? average) / 2 + average / 2;
    }
    return slices.map((slice) => {
      const envelope = JSON.stringify({
        type: 'events',
        projectId: this.projectId,
        sessionId: this.sessionId,
        ...slice,
        events: [],
      } satisfies ServerMessageMap['events']);
      // `…"events":[]}` with the encoded events put between the brackets.
      const head = envelope.slice(0, -2);
      return { batch: slice, frame: Buffer.from(`${head}${slice.events.map(json).join(',')}]}`) };
    });
  }
}
