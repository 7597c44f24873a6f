import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TRANSCRIPT_FORMATS, type Project, type StartBuildResponse, type TranscriptFormat } from '#contracts';
import { BuildcastApi, CliError, EXIT } from './api.js';
import { watchBuild } from './watch.js';

export const USAGE = `Usage:
  buildcast replay <file> --format <${TRANSCRIPT_FORMATS.join('|')}> --project <id or name>
                   [--interval <ms>] [--watch] [--url <origin>]
  buildcast watch <project> <session> [--url <origin>]

  --url       the Buildcast origin (default http://localhost:3000; the API is at <url>/api)
  --project   a project id, or a name (created when no project has it)
  --watch     after posting, follow the build until it finishes
Exit codes: 0 done (watch: the build completed), 1 the server refused or the build did not complete,
2 bad arguments, 3 the server cannot be reached.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: typeof fetch;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs one CLI command; resolves with the process exit code (never throws). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        project: { type: 'string' },
        url: { type: 'string', default: 'http://localhost:3000' },
        interval: { type: 'string' },
        watch: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      (values.help ? io.out : io.err)(USAGE);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    const api = new BuildcastApi(origin(values.url), io.fetch);
    switch (command) {
      case 'replay':
        return await replay(api, rest, values, io);
      case 'watch':
        return await watch(api, rest, io);
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
  interval?: string;
  watch: boolean;
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
  const project = await findProject(api, options.project, { create: true, io });
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
  const project = await findProject(api, projectArg, { create: false, io });
  return exitFor(await watchBuild(api, project.id, sessionId, io.out));
}

function exitFor(snapshot: { session: { status: string } }): number {
  return snapshot.session.status === 'completed' ? EXIT.ok : EXIT.failed;
}

/** A project by id, or by name (the newest of that name); created by name when asked to. */
async function findProject(
  api: BuildcastApi,
  idOrName: string,
  { create, io }: { create: boolean; io: CliIo },
): Promise<Project> {
  if (UUID.test(idOrName)) return api.get<Project>(`/projects/${idOrName}`);
  const named = (await api.get<Project[]>('/projects')).find((project) => project.name === idOrName);
  if (named) return named;
  if (!create) throw new CliError(`no project is named "${idOrName}"`, EXIT.failed);
  const project = await api.post<Project>('/projects', { name: idOrName });
  io.err(`Created project "${project.name}" (${project.id})`);
  return project;
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

function usage(message: string): CliError {
  return new CliError(`${message}\n\n${USAGE}`, EXIT.usage);
}
