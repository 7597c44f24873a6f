import { createContext, useContext } from 'react';
import type { ToolCallInfo } from '#client';

/** What every row of one build page shares: where it is, the clock, sub-agent calls, the deep link. */
export interface BuildRowsContext {
  projectId: string;
  sessionId: string;
  /** The session's end: nothing runs past it (the fold already ends open calls there). */
  sessionEndedAt: Date | null;
  now: number;
  /** Each Agent/Task call's sub-agent calls. */
  children: ReadonlyMap<string, ToolCallInfo[]>;
  /** The `#tool-…` call and the calls above it, nearest first (empty without a deep link). */
  revealed: readonly string[];
}

export const BuildRows = createContext<BuildRowsContext | null>(null);

export function useBuildRows(): BuildRowsContext {
  const rows = useContext(BuildRows);
  if (!rows) throw new Error('BuildRows context is missing');
  return rows;
}
