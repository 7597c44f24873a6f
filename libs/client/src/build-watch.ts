import {
  applyEvent,
  isFinishedStatus,
  type BuildEvent,
  type EventsPage,
  type ServerMessage,
  type Snapshot,
} from './contracts.js';
import type { ConnectionStatus } from './connection.js';
import { getJson, getJsonIfChanged } from './http.js';
import { sleep } from './sleep.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { toBuildView, type BuildView } from './views.js';
import { Watcher } from './watcher.js';

export type BuildListener = (applied: readonly BuildEvent[]) => void;

export interface BuildWatch {
  /** null until the first snapshot arrived. */
  readonly state: BuildView | null;
  readonly status: ConnectionStatus;
  /** Why the status is `error` (or the last failure while reconnecting). */
  readonly error: string | null;
  /** The build (or its project) does not exist: status `error`, and a retry cannot help. */
  readonly notFound: boolean;
  /**
   * Called after every change of state or status, with the events just applied (empty for
   * a snapshot or a status change); returns the function that unsubscribes.
   */
  subscribe(listener: BuildListener): () => void;
  retry(): void;
  close(): void;
}

/**
 * The state of one build, kept current: hydrated from the REST snapshot, then fed by the
 * socket (subscribed with `since`) or by REST long-polls. Events apply strictly in seq
 * order: one at or below the cursor is ignored; a batch that skips seqs asks the server
 * for the missing ones instead of applying out of order.
 */
export function watchBuild(projectId: string, sessionId: string, options: ClientOptions = {}): BuildWatch {
  return new BuildWatcher(projectId, sessionId, resolveOptions(options));
}

class BuildWatcher extends Watcher<[applied: readonly BuildEvent[]]> implements BuildWatch {
  private snapshot: Snapshot | null = null;
  /** The validator of the last snapshot fetched (the state may have moved on since, by events). */
  private snapshotEtag: string | null = null;
  private view: BuildView | null = null;
  private readonly base: string;

  constructor(
    private readonly projectId: string,
    private readonly sessionId: string,
    private readonly options: ResolvedOptions,
  ) {
    super();
    this.base = `${options.apiUrl}/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(sessionId)}`;
    this.connect(
      options,
      {
        target: { projectId, sessionId },
        hydrate: (signal) => this.hydrate(signal),
        socketUrl: () =>
          `${options.wsUrl}?projectId=${encodeURIComponent(projectId)}&sessionId=${encodeURIComponent(sessionId)}&since=${this.cursor}`,
        onMessage: (message) => this.receive(message),
        poll: (signal) => this.poll(signal),
      },
      [[]],
    );
  }

  get state(): BuildView | null {
    return this.view;
  }

  private get cursor(): number {
    return this.snapshot?.seq ?? 0;
  }

  private get finished(): boolean {
    return this.snapshot !== null && isFinishedStatus(this.snapshot.session.status);
  }

  /**
   * A snapshot replaces the state only if it is not older than what we have. Hydrating again
   * (resync, reconnect) sends the last snapshot's validator: a 304 means the server's
   * snapshot is that one, and the state (that one plus events) is at least as new.
   */
  private async hydrate(signal: AbortSignal): Promise<void> {
    const answer = await getJsonIfChanged<Snapshot>(this.options.fetch, this.base, this.snapshotEtag, {
      signal,
      token: this.connection.token,
    });
    if (answer.notModified) return;
    this.snapshotEtag = answer.etag;
    if (!this.snapshot || answer.body.seq >= this.snapshot.seq) this.replace(answer.body);
  }

  private receive(message: ServerMessage): void {
    if (message.type !== 'events' || message.sessionId !== this.sessionId) return;
    if (message.toSeq <= this.cursor) return;
    if (message.fromSeq > this.cursor + 1) {
      // Something between our cursor and this batch is missing: ask again from the cursor.
      this.connection.send({
        type: 'subscribe',
        projectId: this.projectId,
        sessionId: this.sessionId,
        since: this.cursor,
      });
      return;
    }
    this.apply(message.events, message.toSeq);
  }

  private async poll(signal: AbortSignal): Promise<void> {
    if (this.finished) {
      // Nothing more will come; wait instead of asking again at once.
      await sleep(this.options.pollWaitMs, signal);
      return;
    }
    const page = await getJson<EventsPage>(
      this.options.fetch,
      `${this.base}/events?after=${this.cursor}&limit=1000&waitMs=${this.options.pollWaitMs}`,
      { signal, token: this.connection.token },
    );
    if (signal.aborted) return;
    if (page.events.length > 0 && page.events[0].seq === this.cursor + 1) {
      this.apply(page.events, page.events[page.events.length - 1].seq);
    }
  }

  /** Applies a contiguous run of events (superseded ones may be missing) up to `toSeq`. */
  private apply(events: BuildEvent[], toSeq: number): void {
    if (!this.snapshot) return;
    let next = this.snapshot;
    for (const event of events) next = applyEvent(next, event);
    // A batch covers seqs whose events were left out (superseded): its cursor is toSeq.
    const applied = events.filter((event) => event.seq > this.cursor);
    this.replace({ ...next, seq: Math.max(next.seq, toSeq) }, applied);
  }

  private replace(snapshot: Snapshot, applied: readonly BuildEvent[] = []): void {
    this.snapshot = snapshot;
    this.view = toBuildView(snapshot);
    this.notify(applied);
  }
}
