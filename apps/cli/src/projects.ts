import type { Project } from '#contracts';
import { CliError, EXIT, type BuildcastApi } from './api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A project by id, or by name (the newest of that name); created by name when asked to. */
export async function findProject(
  api: BuildcastApi,
  idOrName: string,
  { create, err }: { create: boolean; err: (line: string) => void },
): Promise<Project> {
  if (UUID.test(idOrName)) return api.get<Project>(`/projects/${idOrName}`);
  // The server filters by name: the list comes a page at a time, so a name may be past the first.
  const [named] = await api.get<Project[]>(`/projects?limit=1&name=${encodeURIComponent(idOrName)}`);
  if (named) return named;
  if (!create) throw new CliError(`no project is named "${idOrName}"`, EXIT.failed);
  const project = await api.post<Project>('/projects', { name: idOrName });
  err(`Created project "${project.name}" (${project.id})`);
  return project;
}
