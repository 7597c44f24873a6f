// `buildcast keys …`: API keys over /api/keys (needs an admin key).
import type { ApiKeyView } from '#identity';
import { EXIT, type BuildcastApi } from './api.js';
import type { CliIo } from './cli.js';
import { findProject } from './projects.js';
import { usage } from './usage.js';

export async function keys(
  api: BuildcastApi,
  args: string[],
  options: { name?: string; scope?: string[]; project?: string },
  io: CliIo,
): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create':
      if (rest.length > 0) throw usage('keys create takes no arguments, only --name, --scope and --project');
      return create(api, options, io);
    case 'list':
      if (rest.length > 0) throw usage('keys list takes no arguments');
      return list(api, io);
    case 'revoke': {
      const [id, extra] = rest;
      if (id === undefined || extra !== undefined) throw usage('keys revoke takes one key id');
      await api.delete(`/keys/${encodeURIComponent(id)}`);
      io.out(`Revoked key ${id}: it stops working now.`);
      return EXIT.ok;
    }
    default:
      throw usage(
        action === undefined ? 'keys needs create, list or revoke' : `unknown keys command "${action}"`,
      );
  }
}

async function create(
  api: BuildcastApi,
  options: { name?: string; scope?: string[]; project?: string },
  io: CliIo,
): Promise<number> {
  if (!options.name) throw usage('--name is required');
  if (!options.scope?.length) throw usage('--scope is required (repeat it for several)');
  const projectId =
    options.project === undefined
      ? undefined
      : (await findProject(api, options.project, { create: false, err: io.err })).id;
  const created = await api.post<ApiKeyView & { key: string }>('/keys', {
    name: options.name,
    scopes: options.scope,
    ...(projectId === undefined ? {} : { projectId }),
  });
  // The key alone on stdout (KEY=$(buildcast keys create …)); what to know about it on stderr.
  io.out(created.key);
  io.err(
    `Created key "${created.name}" (${created.id}, ${created.prefix}) with ${created.scopes.join(', ')}` +
      `${created.projectId ? ` for project ${created.projectId}` : ''}.\n` +
      'Store it now: this is the only time it is shown; it cannot be shown again.',
  );
  return EXIT.ok;
}

const COLUMNS = ['ID', 'NAME', 'PREFIX', 'SCOPES', 'PROJECT', 'CREATED', 'LAST USED', 'REVOKED'];

async function list(api: BuildcastApi, io: CliIo): Promise<number> {
  const listed = await api.get<ApiKeyView[]>('/keys');
  const rows = listed.map((key) => [
    key.id,
    key.name,
    key.prefix,
    key.scopes.join(','),
    key.projectId ?? 'all',
    when(key.createdAt),
    when(key.lastUsedAt),
    when(key.revokedAt),
  ]);
  for (const line of table([COLUMNS, ...rows])) io.out(line);
  return EXIT.ok;
}

/** ISO time to the second, in UTC; a dash for never. */
function when(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 19).replace('T', ' ')}Z`;
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '),
  );
}
