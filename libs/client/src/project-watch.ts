import { isFinishedStatus, type ServerMessage, type SessionSummary } from './contracts.js';
import type { ConnectionStatus } from './connection.js';
import { getJson } from './http.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { sleep } from './sleep.js';
import { toSummaryInfo, type SessionSummaryInfo } from './views.js';
import { Watcher } from './watcher.js';

/** How often the build list is re-read while the socket is down. */
const LIST_POLL_MS = 3_000;
/** Builds per page when the watch is not told otherwise (the API's default page). */
export const DEFAULT_PAGE_SIZE = 50;

export interface ProjectWatchOptions {
  /** Builds read per page: the first page, kept current, and each `loadMore()` (1 to 200). */
  pageSize?: number;
}

export interface ProjectWatch {
  /** The project's builds, newest first; null until the first list arrived. */
  readonly sessions: SessionSummaryInfo[] | null;
  /** Older builds than those listed may exist (the last page read was full). */
  readonly hasMore: boolean;
  readonly status: ConnectionStatus;
  readonly error: string | null;
  /** The project does not exist: status `error`, and a retry cannot help. */
  readonly notFound: boolean;
  /** Reads the next page of older builds into `sessions` (rejects when the request fails). */
  loadMore(): Promise<void>;
  subscribe(listener: () => void): () => void;
  retry(): void;
  close(): void;
}

/**
 * A project's builds, kept current: the first REST page, then `session` summaries from the
 * project room; older pages on request. A summary never replaces a newer one (by seq) of the
 * same session.
 */
export function watchProject(
  projectId: string,
  options: ClientOptions = {},
  { pageSize = DEFAULT_PAGE_SIZE }: ProjectWatchOptions = {},
): ProjectWatch {
  return new ProjectWatcher(projectId, resolveOptions(options), pageSize);
}

class ProjectWatcher extends Watcher<[]> implements ProjectWatch {
  private byId = new Map<string, SessionSummary>();
  private list: SessionSummaryInfo[] | null = null;
  private olderPages: boolean | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private readonly listUrl: string;

  constructor(
    projectId: string,
    private readonly options: ResolvedOptions,
    private readonly pageSize: number,
  ) {
    super();
    this.listUrl = `${options.apiUrl}/projects/${encodeURIComponent(projectId)}/builds?limit=${pageSize}`;
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

  get hasMore(): boolean {
    return this.olderPages ?? false;
  }

  async loadMore(): Promise<void> {
    const oldest = this.list?.at(-1);
    if (!oldest) return;
    const page = await this.read(`${this.listUrl}&before=${encodeURIComponent(oldest.id)}`);
    this.olderPages = page.length === this.pageSize;
    for (const summary of page) this.merge(summary);
    this.publish();
  }

  /** The newest page again; whether older pages exist is known from the first one only. */
  private async reload(signal: AbortSignal): Promise<void> {
    const page = await this.read(this.listUrl, signal);
    this.olderPages ??= page.length === this.pageSize;
    for (const summary of page) this.merge(summary);
    this.publish();
  }

  /**
   * A reload for live summaries, coalesced: the room sends its latest 50 on join, and those
   * the first page leaves out must not cost a request each. At most one runs, one waits.
   */
  private reloadSoon(): void {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = this.reload(new AbortController().signal)
      .catch(() => undefined)
      .finally(() => {
        this.reloading = undefined;
        if (!this.reloadAgain) return;
        this.reloadAgain = false;
        this.reloadSoon();
      });
  }

  private read(url: string, signal?: AbortSignal): Promise<SessionSummary[]> {
    return getJson<SessionSummary[]>(this.options.fetch, url, { signal, token: this.connection.token });
  }

  private receive(message: ServerMessage): void {
    if (message.type !== 'session') return;
    const known = this.byId.get(message.sessionId);
    // A build we have never seen (started elsewhere) has its full row in the list, and so
    // does one that just finished (its error is not in the room's summary).
    const finishedNow = known && isFinishedStatus(message.status) && !isFinishedStatus(known.status);
    if (!known || finishedNow) this.reloadSoon();
    if (!known) return;
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
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map(toSummaryInfo);
    this.notify();
  }
}
