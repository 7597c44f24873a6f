import { useEffect, useState } from 'react';
import {
  useBuild,
  useProject,
  type BuildSnapshot,
  type ProjectSnapshot,
  type WatchSnapshot,
} from '#client/react';
import { clientOptions } from '../api/api.js';
import { markSignedOut } from '../session/session-store.js';

/**
 * The SDK's hooks (`@buildcast/client/react`) with the app's options; a watch that ends
 * `signed-out` tells the whole app (the top bar).
 */
export function useBuildWatch(projectId: string, sessionId: string): BuildSnapshot {
  return useSignedOutNotice(useBuild(projectId, sessionId, clientOptions()));
}

export function useProjectWatch(projectId: string): ProjectSnapshot {
  return useSignedOutNotice(useProject(projectId, clientOptions()));
}

function useSignedOutNotice<S extends WatchSnapshot>(snapshot: S): S {
  useEffect(() => {
    if (snapshot.status === 'signed-out') markSignedOut();
  }, [snapshot.status]);
  return snapshot;
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
