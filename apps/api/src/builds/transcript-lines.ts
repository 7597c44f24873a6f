import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '#contracts';

/**
 * What a replay's transcript must be before it is queued: at most `maxLines` lines
 * (TRANSCRIPT_MAX_LINES, else 413 naming `transcript`), NDJSON with at least one JSON
 * object line (otherwise it could only fail later), and no line nested deeper than
 * MAX_JSON_DEPTH — such a line costs seconds of JSON.parse here and in the runner-worker
 * and can only be hostile. A 400 naming `transcript` and the line.
 */
export function assertReplayableTranscript(transcript: string, maxLines: number): void {
  const lines = countLines(transcript);
  if (lines > maxLines) {
    throw new PayloadTooLargeException([
      `transcript: ${lines} lines, more than TRANSCRIPT_MAX_LINES (${maxLines})`,
    ]);
  }
  let hasJsonObject = false;
  for (const [index, line] of transcript.split('\n').entries()) {
    if (jsonDepthExceeds(line, MAX_JSON_DEPTH)) {
      throw new BadRequestException([
        `transcript: line ${index + 1} nests deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`,
      ]);
    }
    if (!hasJsonObject) hasJsonObject = isJsonObjectLine(line.trim());
  }
  if (!hasJsonObject)
    throw new BadRequestException(['transcript must hold NDJSON: one JSON object per line']);
}

function isJsonObjectLine(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // not JSON: the runner-worker skips such lines too
  }
}

/** Lines as the runner-worker reads them; counted before splitting, so a huge count costs no array. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return text.endsWith('\n') ? lines - 1 : lines;
}
