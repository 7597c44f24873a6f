import type { ConnectionStatus } from '../connection.js';

/** What the store needs of a watch (BuildWatch and ProjectWatch are such). */
export interface StorableWatch {
  readonly status: ConnectionStatus;
  readonly error: string | null;
  subscribe(listener: () => void): () => void;
  retry(): void;
  close(): void;
}

/** What every hook returns, beside the watch's own data. */
export interface WatchSnapshot {
  status: ConnectionStatus;
  /** Why the status is `error` or `signed-out` (or the last failure while reconnecting). */
  error: string | null;
  /** Start over now (after `error` or `signed-out`, or a person clicking Retry). */
  retry(): void;
}

/** The snapshot of `watch`; null before it opened (server rendering, the first render). */
export type ReadSnapshot<W, S> = (watch: W | null, retry: () => void) => S;

/**
 * A watch in the shape React's useSyncExternalStore asks for. The first subscriber opens
 * it and the last one to leave closes it (StrictMode's mount, unmount, mount ends with a
 * fresh watch, not a closed one). The snapshot is immutable: a new object after each
 * change and the same one otherwise, so a render never sees half of an update. Server
 * rendering never subscribes: it opens nothing and renders the `connecting` snapshot.
 * Framework-free, so it is tested without React.
 */
export class WatchStore<W extends StorableWatch, S extends WatchSnapshot> {
  private watch: W | null = null;
  private unsubscribeWatch: (() => void) | undefined;
  private snapshot: S;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly open: () => W,
    private readonly read: ReadSnapshot<W, S>,
  ) {
    this.snapshot = read(null, this.retry);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.watch) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  readonly getSnapshot = (): S => this.snapshot;

  readonly retry = (): void => this.watch?.retry();

  private start(): void {
    const watch = this.open();
    this.watch = watch;
    // React reads the snapshot again right after subscribing: no need to call it here.
    this.snapshot = this.read(watch, this.retry);
    this.unsubscribeWatch = watch.subscribe(() => {
      if (this.watch !== watch) return;
      this.snapshot = this.read(watch, this.retry);
      for (const listener of this.listeners) listener();
    });
  }

  private stop(): void {
    this.unsubscribeWatch?.();
    this.unsubscribeWatch = undefined;
    this.watch?.close();
    this.watch = null;
  }
}
