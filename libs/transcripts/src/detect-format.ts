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
const CLAUDE_TYPES = new Set([
  'system',
  'assistant',
  'user',
  'result',
  'stream_event',
  'command_lifecycle',
  'rate_limit_event',
]);
/** Lines only Claude Code's own session files hold (stream-json has none of them). */
const CLAUDE_LOG_TYPES = new Set([
  'summary',
  'file-history-snapshot',
  'queue-operation',
  'progress',
  'attachment',
  'last-prompt',
]);
const BUILDCAST_TYPES = new Set<string>(BUILD_EVENT_TYPES);

/**
 * Guesses a transcript's format from its first JSON lines; null if unsure. A Claude Code
 * session file's messages carry `parentUuid`, which stream-json lines never do.
 */
export function detectFormat(transcript: string): TranscriptFormat | null {
  const lines = transcript.split('\n', 50);
  for (const line of lines) {
    let value: { type?: unknown; parentUuid?: unknown };
    try {
      value = JSON.parse(line) as typeof value;
    } catch {
      continue; // blank or not JSON: look further
    }
    const type = value?.type;
    if (typeof type !== 'string') continue;
    if (CODEX_TYPES.has(type)) return 'codex-json';
    if (CLAUDE_LOG_TYPES.has(type) || 'parentUuid' in value) return 'claude-session-log';
    if (CLAUDE_TYPES.has(type)) return 'claude-stream-json';
    if (BUILDCAST_TYPES.has(type)) return 'buildcast-ndjson';
  }
  return null;
}
