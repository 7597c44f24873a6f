import type { NewBuildEvent, TranscriptFormat } from '#contracts';
import { BuildcastNdjsonParser } from './buildcast-ndjson.parser.js';
import { ClaudeSessionLogParser } from './claude-session-log.parser.js';
import { ClaudeStreamJsonParser } from './claude-stream-json.parser.js';
import { CodexJsonParser } from './codex-json.parser.js';

export interface ParserContext {
  agentId: string;
  projectName: string;
  prompt: string | null;
  model: string | null;
}

export interface ParserStats {
  /** Non-blank lines seen. */
  lines: number;
  /** Lines that are not JSON at all (stderr noise in a captured stream): skipped. */
  notJson: number;
  /** JSON lines without the shape their type needs: skipped. */
  malformed: number;
  ignored: number;
}

export interface TranscriptParser {
  /** Events produced by one source line ([] for ignored or malformed lines; never throws). */
  parseLine(line: string): NewBuildEvent[];
  /**
   * Called when the input ends: returns the closing events, always ending with exactly one
   * `session.finished`. `failure` (a live agent's process failed) is the error when the
   * transcript holds no result line of its own.
   */
  end(failure?: string | null): NewBuildEvent[];
  readonly stats: ParserStats;
  /** The transcript's own ending arrived (a result line, a `session.finished`): `end()` reports it. */
  readonly outcomeKnown: boolean;
}

export function createParser(format: TranscriptFormat, context: ParserContext): TranscriptParser {
  switch (format) {
    case 'claude-stream-json':
      return new ClaudeStreamJsonParser(context);
    case 'claude-session-log':
      return new ClaudeSessionLogParser(context);
    case 'codex-json':
      return new CodexJsonParser(context);
    case 'buildcast-ndjson':
      return new BuildcastNdjsonParser(context);
    default:
      throw new Error(`Unknown transcript format: ${String(format)}`);
  }
}
