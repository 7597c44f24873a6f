import type { BuildEvent } from '#contracts';
import type { EventFrame } from '../../coalescing/frame-encoder.js';

const at = '2026-11-23T10:00:00.000Z';

/** For specs: a frame of seqs fromSeq..toSeq (one message each) weighing `bytes`. */
export const frame = (fromSeq: number, toSeq: number, bytes = 10): EventFrame => ({
  batch: {
    fromSeq,
    toSeq,
    events: Array.from({ length: toSeq - fromSeq + 1 }, (_, i): BuildEvent => ({
      type: 'message',
      data: { role: 'assistant', text: 'm' },
      seq: fromSeq + i,
      at,
    })),
  },
  frame: Buffer.alloc(bytes),
});
