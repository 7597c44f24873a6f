import { WebSocket } from 'ws';
import { watchBuild, type BuildWatch, type ClientOptions, type ConnectionStatus } from '#client';
import { applyEvent, type ServerMessage, type Snapshot } from '#contracts';
import { toBuildView, type BuildView } from '../../../libs/client/src/views.js';
import { foldFromQueued } from '../../support/builds.js';
import { TEST_ADMIN_KEY } from '../../support/credentials.js';
import { DeliveryLedger } from './delivery-ledger.js';
import type { Random } from './random.js';
import { getJsonEventually } from './wait.js';

export interface BuildRef {
  projectId: string;
  sessionId: string;
}

export interface Watcher {
  readonly kind: 'sdk' | 'raw';
  /** e.g. `sdk 2 (late)`: which one failed, in a message. */
  readonly label: string;
  readonly build: BuildRef;
  readonly ledger: DeliveryLedger;
  /** The seq its state reflects. */
  readonly seq: number;
  /** How its state differs from the REST snapshot (empty when equal). */
  differences(snapshot: Snapshot): string[];
  close(): void;
}

export const snapshotUrl = (apiUrl: string, build: BuildRef) =>
  `${apiUrl}/projects/${build.projectId}/builds/${build.sessionId}`;

/** The SDK's `watchBuild`, through the API's `/ws` as the web app uses it; it records what it applied. */
export class SdkWatcher implements Watcher {
  readonly kind = 'sdk';
  readonly ledger = new DeliveryLedger();
  /** Every status it went through, with when. */
  readonly statuses: { status: ConnectionStatus; at: number }[] = [];
  private readonly watch: BuildWatch;

  constructor(
    readonly label: string,
    readonly build: BuildRef,
    options: ClientOptions,
  ) {
    this.watch = watchBuild(build.projectId, build.sessionId, options);
    this.statuses.push({ status: this.watch.status, at: Date.now() });
    this.watch.subscribe((applied) => {
      const seq = this.watch.state?.seq ?? 0;
      if (applied.length > 0) {
        this.ledger.batch(
          this.ledger.seq + 1,
          seq,
          applied.map((event) => event.seq),
        );
      } else if (seq !== this.ledger.seq) this.ledger.restart(seq); // a snapshot replaced the state
      if (this.watch.status !== this.statuses.at(-1)?.status) {
        this.statuses.push({ status: this.watch.status, at: Date.now() });
      }
    });
  }

  get seq(): number {
    return this.watch.state?.seq ?? 0;
  }

  get status(): ConnectionStatus {
    return this.watch.status;
  }

  differences(snapshot: Snapshot): string[] {
    return compare(this.watch.state, toBuildView(snapshot));
  }

  close(): void {
    this.watch.close();
  }
}

/**
 * A plain `ws` client straight to the gateway: it connects with `since`, folds every event
 * it is given with the contract's reducer, and reconnects with its cursor whenever the
 * socket closes (`resync`: from a fresh snapshot).
 */
export class RawWatcher implements Watcher {
  readonly kind = 'raw';
  reconnects = 0;
  resyncs = 0;
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  private constructor(
    readonly label: string,
    readonly build: BuildRef,
    private readonly urls: { apiUrl: string; wsUrl: string },
    private readonly random: Random,
    private state: Snapshot,
    readonly ledger: DeliveryLedger,
  ) {}

  /**
   * Joins from seq 0 (folding from the queued session), or `late`: from the snapshot of now
   * and `since` its seq, as a page that opens mid-build does.
   */
  static async join(
    label: string,
    build: BuildRef,
    urls: { apiUrl: string; wsUrl: string },
    random: Random,
    late: boolean,
  ): Promise<RawWatcher> {
    const snapshot = await getJsonEventually<Snapshot>(snapshotUrl(urls.apiUrl, build));
    const start = late ? snapshot : foldFromQueued(snapshot, []);
    const watcher = new RawWatcher(label, build, urls, random, start, new DeliveryLedger(start.seq));
    watcher.connect();
    return watcher;
  }

  get seq(): number {
    return this.ledger.seq;
  }

  differences(snapshot: Snapshot): string[] {
    return compare(this.state, snapshot);
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const { projectId, sessionId } = this.build;
    const socket = new WebSocket(
      `${this.urls.wsUrl}?projectId=${projectId}&sessionId=${sessionId}&since=${this.ledger.seq}`,
      { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } },
    );
    this.socket = socket;
    socket.on('message', (data: Buffer) =>
      this.receive(socket, JSON.parse(data.toString('utf8')) as ServerMessage),
    );
    socket.on('close', () => {
      if (this.socket === socket) this.reconnectSoon();
    });
    socket.on('error', () => undefined); // a close follows
  }

  private receive(socket: WebSocket, message: ServerMessage): void {
    if (socket !== this.socket) return;
    if (message.type === 'events' && message.sessionId === this.build.sessionId) {
      this.ledger.batch(
        message.fromSeq,
        message.toSeq,
        message.events.map((event) => event.seq),
      );
      for (const event of message.events) this.state = applyEvent(this.state, event);
    } else if (message.type === 'resync') {
      this.resyncs += 1;
      this.drop();
      void this.startOver();
    } else if (message.type === 'error') {
      // `unavailable` while Postgres or Redis is down: no room was joined; ask again.
      this.drop();
      this.reconnectSoon();
    }
  }

  private async startOver(): Promise<void> {
    const snapshot = await getJsonEventually<Snapshot>(snapshotUrl(this.urls.apiUrl, this.build));
    if (this.stopped) return;
    this.ledger.restart(snapshot.seq);
    this.state = snapshot;
    this.connect();
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.terminate();
  }

  private reconnectSoon(): void {
    if (this.stopped) return;
    this.socket = undefined;
    this.reconnects += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.random.int(100, 1_000));
  }
}

/** The fields of a state that differ from the expected one, each as one short line. */
function compare(actual: Snapshot | BuildView | null, expected: Snapshot | BuildView): string[] {
  if (actual === null) return ['no state at all'];
  const lines: string[] = [];
  if (actual.seq !== expected.seq) lines.push(`seq ${actual.seq}, snapshot ${expected.seq}`);
  for (const key of Object.keys(expected.session) as (keyof typeof expected.session)[]) {
    if (!equal(actual.session[key], expected.session[key])) {
      lines.push(
        `session.${key} ${JSON.stringify(actual.session[key])}, snapshot ${JSON.stringify(expected.session[key])}`,
      );
    }
  }
  if (!equal(actual.todos, expected.todos)) lines.push('todos differ');
  if (!equal(actual.toolCalls, expected.toolCalls)) {
    lines.push(
      `toolCalls differ (${actual.toolCalls.length} vs ${expected.toolCalls.length} in the snapshot)`,
    );
  }
  if (lines.length === 0 && !equal(actual, expected)) lines.push('the states differ');
  return lines;
}

/** Deep equality with Dates compared by time (the SDK's view holds Dates). */
function equal(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
