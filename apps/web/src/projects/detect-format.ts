import { BUILD_EVENT_TYPES, type TranscriptFormat } from '#contracts';

const CODEX_TYPES = new Set([
  'thread.started',
  'turn.started',
  'turn.completed',
  'turn.failed',
  'item.started',
  'item.updated',
  'item.completed',
]);
const CLAUDE_TYPES = new Set(['system', 'assistant', 'user', 'result', 'stream_event', 'command_lifecycle']);
const BUILDCAST_TYPES = new Set<string>(BUILD_EVENT_TYPES);

/** Guesses a transcript's format from the `type` of its first JSON lines; null if unsure. */
export function detectFormat(transcript: string): TranscriptFormat | null {
  const lines = transcript.split('\n', 50);
  for (const line of lines) {
    let type: unknown;
    try {
      type = (JSON.parse(line) as { type?: unknown }).type;
    } catch {
      continue; // blank or not JSON: look further
    }
    if (typeof type !== 'string') continue;
    if (CODEX_TYPES.has(type)) return 'codex-json';
    if (CLAUDE_TYPES.has(type)) return 'claude-stream-json';
    if (BUILDCAST_TYPES.has(type)) return 'buildcast-ndjson';
  }
  return null;
}
