import type { NewBuildEvent } from '#contracts';

export interface LimitedBatch {
  events: NewBuildEvent[];
  /** The full outputs of the calls whose event now carries a shortened copy, by toolCallId. */
  fullOutputs: Map<string, string>;
}

/**
 * Shortens tool outputs over `maxBytes` (UTF-8) to their first `maxBytes`, cut on a
 * character boundary, marking them `outputTruncated`; the full texts are returned beside.
 */
export function limitToolOutputs(batch: NewBuildEvent[], maxBytes: number): LimitedBatch {
  const fullOutputs = new Map<string, string>();
  const events = batch.map((event): NewBuildEvent => {
    if (event.type !== 'tool.finished' || !longerThan(event.data.output, maxBytes)) return event;
    fullOutputs.set(event.data.toolCallId, event.data.output);
    const output = utf8Prefix(event.data.output, maxBytes);
    return { type: 'tool.finished', data: { ...event.data, output, outputTruncated: true } };
  });
  return { events, fullOutputs };
}

/** Whether `text` is over `maxBytes` in UTF-8; a UTF-16 code unit is at most 3 bytes, so a short text is not measured. */
function longerThan(text: string, maxBytes: number): boolean {
  return text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes;
}

function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // bytes[end] continues a character
  return bytes.subarray(0, end).toString('utf8');
}
