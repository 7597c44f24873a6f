import { useMemo, useSyncExternalStore } from 'react';
import { watchBuild } from '../build-watch.js';
import type { ClientOptions } from '../options.js';
import { watchProject } from '../project-watch.js';
import type { BuildView, SessionSummaryInfo } from '../views.js';
import { WatchStore, type StorableWatch, type WatchSnapshot } from './watch-store.js';

export interface BuildSnapshot extends WatchSnapshot {
  /** null until the first snapshot arrived. */
  state: BuildView | null;
}

export interface ProjectSnapshot extends WatchSnapshot {
  /** The project's builds, newest first; null until the first list arrived. */
  sessions: SessionSummaryInfo[] | null;
}

/**
 * One build, live, for as long as the component is mounted: `watchBuild` under React.
 * `options` are read when the watch opens, which happens again only when the ids, `baseUrl`
 * or `wsUrl` change (a new `getToken` function on every render does not reconnect).
 */
export function useBuild(projectId: string, sessionId: string, options: ClientOptions = {}): BuildSnapshot {
  return useWatchStore(
    () => watchBuild(projectId, sessionId, options),
    (watch, retry) => ({ state: watch?.state ?? null, ...connection(watch), retry }),
    [projectId, sessionId, options.baseUrl, options.wsUrl],
  );
}

/** A project's builds, live: `watchProject` under React (options as for useBuild). */
export function useProject(projectId: string, options: ClientOptions = {}): ProjectSnapshot {
  return useWatchStore(
    () => watchProject(projectId, options),
    (watch, retry) => ({ sessions: watch?.sessions ?? null, ...connection(watch), retry }),
    [projectId, options.baseUrl, options.wsUrl],
  );
}

function connection(watch: StorableWatch | null): Omit<WatchSnapshot, 'retry'> {
  return { status: watch?.status ?? 'connecting', error: watch?.error ?? null };
}

function useWatchStore<W extends StorableWatch, S extends WatchSnapshot>(
  open: () => W,
  read: (watch: W | null, retry: () => void) => S,
  key: unknown[],
): S {
  // A new store (and so a new watch) only when what it watches changes.
  const store = useMemo(() => new WatchStore(open, read), key);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
