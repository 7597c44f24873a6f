import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TRANSCRIPT_FORMATS, type StartBuildResponse, type TranscriptFormat } from '#contracts';
import { BuildcastApi, CliError, EXIT } from './api.js';
import { follow } from './follow/follow.js';
import { keys } from './keys.js';
import { findProject } from './projects.js';
import { usage, USAGE } from './usage.js';
import { watchBuild } from './watch.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where BUILDCAST_KEY and BUILDCAST_URL are read (process.env for the real CLI). */
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** Calls `stop` when the user interrupts (SIGINT in the real CLI); returns the unsubscribe. */
  onInterrupt?: (stop: () => void) => () => void;
}

/** Runs one CLI command; resolves with the process exit code (never throws). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        project: { type: 'string' },
        url: { type: 'string', default: io.env.BUILDCAST_URL || 'http://localhost:3000' },
        key: { type: 'string', default: io.env.BUILDCAST_KEY || undefined },
        interval: { type: 'string' },
        watch: { type: 'boolean', default: false },
        claude: { type: 'boolean', default: false },
        name: { type: 'string' },
        scope: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      (values.help ? io.out : io.err)(USAGE);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    const api = new BuildcastApi(origin(values.url), values.key, io.fetch);
    switch (command) {
      case 'replay':
        return await replay(api, rest, values, io);
      case 'watch':
        return await watch(api, rest, io);
      case 'follow':
        return await follow(api, rest, values, io);
      case 'keys':
        return await keys(api, rest, values, io);
      default:
        throw usage(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`buildcast: ${error.message}`);
      return error.exitCode;
    }
    // parseArgs reports unknown options and missing values with a code of its own.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`buildcast: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.err(`buildcast: ${(error as Error).message}`);
    return EXIT.failed;
  }
}

interface Options {
  format?: string;
  project?: string;
  url: string;
  key?: string;
  interval?: string;
  watch: boolean;
  claude: boolean;
  name?: string;
  scope?: string[];
  help: boolean;
}

async function replay(api: BuildcastApi, args: string[], options: Options, io: CliIo): Promise<number> {
  const [file, extra] = args;
  if (file === undefined || extra !== undefined) throw usage('replay takes one transcript file');
  if (!options.format || !(TRANSCRIPT_FORMATS as readonly string[]).includes(options.format)) {
    throw usage(`--format must be one of ${TRANSCRIPT_FORMATS.join(', ')}`);
  }
  if (!options.project) throw usage('--project is required');
  const interval = options.interval === undefined ? undefined : Number(options.interval);
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 0 && interval <= 60_000)) {
    throw usage('--interval must be an integer number of milliseconds (0–60000)');
  }
  let transcript: string;
  try {
    transcript = await readFile(file, 'utf8');
  } catch (error) {
    throw usage(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const project = await findProject(api, options.project, { create: true, err: io.err });
  const build = await api.post<StartBuildResponse>(`/projects/${project.id}/builds`, {
    agent: 'replay',
    format: options.format as TranscriptFormat,
    transcript,
    ...(interval === undefined ? {} : { eventIntervalMs: interval }),
  });
  io.out(`${api.origin}/projects/${project.id}/builds/${build.sessionId}`);
  if (!options.watch) return EXIT.ok;
  return exitFor(await watchBuild(api, project.id, build.sessionId, io.out));
}

async function watch(api: BuildcastApi, args: string[], io: CliIo): Promise<number> {
  const [projectArg, sessionId, extra] = args;
  if (projectArg === undefined || sessionId === undefined || extra !== undefined) {
    throw usage('watch takes a project and a session id');
  }
  const project = await findProject(api, projectArg, { create: false, err: io.err });
  return exitFor(await watchBuild(api, project.id, sessionId, io.out));
}

function exitFor(snapshot: { session: { status: string } }): number {
  return snapshot.session.status === 'completed' ? EXIT.ok : EXIT.failed;
}

function origin(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(parsed.protocol);
    return parsed.origin;
  } catch {
    throw usage(`--url must be an http(s) origin such as http://localhost:3000, not "${url}"`);
  }
}
