import type { ServerMessage, SessionSummary } from './contracts.js';
import type { ConnectionStatus } from './connection.js';
import { getJson } from './http.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { sleep } from './sleep.js';
import { toSummaryInfo, type SessionSummaryInfo } from './views.js';
import { Watcher } from './watcher.js';

/** How often the build list is re-read while the socket is down. */
const LIST_POLL_MS = 3_000;

export interface ProjectWatch {
  /** The project's builds, newest first; null until the first list arrived. */
  readonly sessions: SessionSummaryInfo[] | null;
  readonly status: ConnectionStatus;
  readonly error: string | null;
  subscribe(listener: () => void): () => void;
  retry(): void;
  close(): void;
}

/**
 * A project's builds, kept current: the REST list, then `session` summaries from the project
 * room. A summary never replaces a newer one (by seq) of the same session.
 */
export function watchProject(projectId: string, options: ClientOptions = {}): ProjectWatch {
  return new ProjectWatcher(projectId, resolveOptions(options));
}

class ProjectWatcher extends Watcher<[]> implements ProjectWatch {
  private byId = new Map<string, SessionSummary>();
  private list: SessionSummaryInfo[] | null = null;
  private readonly listUrl: string;

  constructor(
    projectId: string,
    private readonly options: ResolvedOptions,
  ) {
    super();
    this.listUrl = `${options.apiUrl}/projects/${encodeURIComponent(projectId)}/builds?limit=100`;
    this.connect(
      options,
      {
        target: { projectId },
        hydrate: (signal) => this.reload(signal),
        socketUrl: () => `${options.wsUrl}?projectId=${encodeURIComponent(projectId)}`,
        onMessage: (message) => this.receive(message),
        poll: async (signal) => {
          await sleep(LIST_POLL_MS, signal);
          if (!signal.aborted) await this.reload(signal);
        },
      },
      [],
    );
  }

  get sessions(): SessionSummaryInfo[] | null {
    return this.list;
  }

  private async reload(signal: AbortSignal): Promise<void> {
    const sessions = await getJson<SessionSummary[]>(this.options.fetch, this.listUrl, {
      signal,
      token: this.connection.token,
    });
    for (const summary of sessions) this.merge(summary);
    this.publish();
  }

  private receive(message: ServerMessage): void {
    if (message.type !== 'session') return;
    const known = this.byId.get(message.sessionId);
    if (!known) {
      // A build we have never seen (started elsewhere): the list has its full row.
      void this.reload(new AbortController().signal).catch(() => undefined);
      return;
    }
    const { status, progress, agentId, model, projectName, seq, startedAt, endedAt } = message;
    this.merge({ ...known, status, progress, agentId, model, projectName, seq, startedAt, endedAt });
    this.publish();
  }

  private merge(summary: SessionSummary): void {
    const known = this.byId.get(summary.id);
    if (known && known.seq > summary.seq) return;
    this.byId.set(summary.id, summary);
  }

  private publish(): void {
    this.list = [...this.byId.values()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map(toSummaryInfo);
    this.notify();
  }
}
