import { toSummaryInfo, type SessionSummaryInfo } from '#client';
import type { SessionSummary } from '#contracts';
import { useProjectWatch } from './use-watch.js';

/**
 * A project's newest build, live: the one the list came with until the project's room (a
 * watch of one build per page) says more.
 */
export function useLatestBuild(projectId: string, listed: SessionSummary | null): SessionSummaryInfo | null {
  const watch = useProjectWatch(projectId, 1);
  const watched = watch?.sessions?.[0];
  if (watched) return watched;
  return listed ? toSummaryInfo(listed) : null;
}
