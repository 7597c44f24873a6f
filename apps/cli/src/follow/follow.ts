// `buildcast follow`: a transcript that is still being written, parsed here and streamed
// into an external build through the SDK's ingest client.
import { access } from 'node:fs/promises';
import { createIngest, HttpError } from '#client';
import { TRANSCRIPT_FORMATS, type FinishedStatus, type TranscriptFormat } from '#contracts';
import { createParser, detectFormat, type TranscriptParser } from '#transcripts';
import { CliError, EXIT, refused, type BuildcastApi } from '../api.js';
import { findProject } from '../projects.js';
import { usage } from '../usage.js';
import { findClaudeSession } from './claude-sessions.js';
import { tailLines } from './tail-file.js';

/** detectFormat looks at this many lines; a file that says nothing by then is refused. */
const DETECT_LINES = 50;

export interface FollowOptions {
  format?: string;
  project?: string;
  claude: boolean;
}

export interface FollowIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Calls `stop` when the user interrupts (SIGINT); returns the unsubscribe. */
  onInterrupt?: (stop: () => void) => () => void;
}

export async function follow(
  api: BuildcastApi,
  args: string[],
  options: FollowOptions,
  io: FollowIo,
): Promise<number> {
  const [target, extra] = args;
  if (extra !== undefined) throw usage('follow takes one file (or, with --claude, one directory)');
  if (options.format !== undefined && !(TRANSCRIPT_FORMATS as readonly string[]).includes(options.format)) {
    throw usage(`--format must be one of ${TRANSCRIPT_FORMATS.join(', ')}`);
  }
  if (!options.project) throw usage('--project is required');
  let file: string;
  let format = options.format as TranscriptFormat | undefined;
  if (options.claude) {
    const found = await findClaudeSession(target ?? process.cwd(), io.env);
    if (found.file === null) throw usage(`no Claude Code session file (*.jsonl) in ${found.dir}`);
    file = found.file;
    format ??= 'claude-session-log';
    io.err(`Following ${file}`);
  } else {
    if (target === undefined) throw usage('follow takes a transcript file (or --claude)');
    file = target;
  }
  try {
    await access(file);
  } catch (error) {
    throw usage(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }

  const project = await findProject(api, options.project, { create: true, err: io.err });
  const ingest = createIngest({ baseUrl: api.origin, projectId: project.id, fetch: api.fetch });
  const status = await answered(api, async () => {
    const { sessionId } = await ingest.start();
    io.out(`${api.origin}/projects/${project.id}/builds/${sessionId}`);
    const ending = await stream(file, format, project.name, (events) => ingest.append(events), io);
    await ingest.finish(ending.status, ending.error);
    return ending.status;
  });
  io.out(`Build ${status}`);
  return status === 'completed' ? EXIT.ok : EXIT.failed;
}

interface Ending {
  status: FinishedStatus;
  error: string | null;
}

/**
 * Feeds the file's lines to its parser until the agent's own last line (the parser's
 * `outcomeKnown`) or the user's interrupt; answers how the session ends.
 */
async function stream(
  file: string,
  format: TranscriptFormat | undefined,
  projectName: string,
  append: (events: ReturnType<TranscriptParser['parseLine']>) => void,
  io: FollowIo,
): Promise<Ending> {
  const stopped = new AbortController();
  const unsubscribe = io.onInterrupt?.(() => stopped.abort()) ?? (() => undefined);
  let parser: TranscriptParser | null = null;
  const undetected: string[] = [];
  const feed = (line: string) => append(parser!.parseLine(line));
  try {
    for await (const line of tailLines(file, stopped.signal)) {
      if (parser === null) {
        undetected.push(line);
        const detected = format ?? detectFormat(undetected.join('\n'));
        if (detected === null) {
          if (undetected.filter((text) => text.trim() !== '').length >= DETECT_LINES) {
            return { status: 'failed', error: `buildcast follow could not tell the format of ${file}` };
          }
          continue;
        }
        io.err(`Format: ${detected}`);
        parser = createParser(detected, { agentId: 'external', projectName, prompt: null, model: null });
        undetected.splice(0).forEach(feed);
      } else {
        feed(line);
      }
      if (parser.outcomeKnown) break;
    }
  } finally {
    unsubscribe();
  }
  if (parser === null || !parser.outcomeKnown) return { status: 'cancelled', error: null };
  const closing = parser.end();
  const finished = closing.pop()!; // end() always closes with the one session.finished
  append(closing);
  if (finished.type !== 'session.finished') throw new Error('the parser did not end with session.finished');
  return { status: finished.data.status, error: finished.data.error ?? null };
}

/** The SDK's HTTP failures, said the way the other commands say the server's answers. */
async function answered<T>(api: BuildcastApi, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (error.status === 0)
      throw new CliError(`Cannot reach Buildcast at ${api.origin}: ${error.message}`, EXIT.unreachable);
    throw refused(error.message, error.status, api.key);
  }
}
