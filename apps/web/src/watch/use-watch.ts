import { useEffect, useReducer, useState } from 'react';
import { watchBuild, watchProject, type BuildWatch, type ProjectWatch } from '#client';
import { clientOptions } from '../api/api.js';
import { markSignedOut } from '../session/session-store.js';

interface Closable {
  readonly status: string;
  subscribe(listener: () => void): () => void;
  close(): void;
}

/**
 * Opens a watch for as long as the component shows it and re-renders on every change. The
 * watch holds the state; React only reads it (state, status and error) during render. A
 * watch that ends `signed-out` tells the whole app (the top bar).
 */
function useWatch<W extends Closable>(open: () => W, key: string): W | null {
  const [watch, setWatch] = useState<W | null>(null);
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const opened = open();
    setWatch(opened);
    const unsubscribe = opened.subscribe(() => {
      if (opened.status === 'signed-out') markSignedOut();
      changed();
    });
    return () => {
      unsubscribe();
      opened.close();
      setWatch(null);
    };
    // `key` names everything `open` depends on.
  }, [key]);
  return watch;
}

export function useBuildWatch(projectId: string, sessionId: string): BuildWatch | null {
  return useWatch(() => watchBuild(projectId, sessionId, clientOptions()), `${projectId}/${sessionId}`);
}

/** `pageSize`: builds per page (a project card needs only the newest). */
export function useProjectWatch(projectId: string, pageSize?: number): ProjectWatch | null {
  return useWatch(() => watchProject(projectId, clientOptions(), { pageSize }), `${projectId}/${pageSize}`);
}

/** The current time, refreshed every `intervalMs` while `active` (for running durations). */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
