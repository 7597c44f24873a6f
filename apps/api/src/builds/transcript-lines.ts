import { BadRequestException } from '@nestjs/common';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '#contracts';

/**
 * What a replay's transcript must be before it is queued: NDJSON with at least one JSON
 * object line (otherwise it could only fail later), and no line nested deeper than
 * MAX_JSON_DEPTH — such a line costs seconds of JSON.parse here and in the runner-worker
 * and can only be hostile. A 400 naming `transcript` and the line.
 */
export function assertReplayableTranscript(transcript: string): void {
  let hasJsonObject = false;
  const lines = transcript.split('\n');
  for (const [index, line] of lines.entries()) {
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
