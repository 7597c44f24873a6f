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

/**
 * Given as a ref that never changes, so that giving it re-renders no row: a row re-renders
 * when what it shows changes (its signature), and reads the newest values then.
 */
export const BuildRows = createContext<{ readonly current: BuildRowsContext } | null>(null);

export function useBuildRows(): BuildRowsContext {
  const rows = useContext(BuildRows);
  if (!rows) throw new Error('BuildRows context is missing');
  return rows.current;
}

/** A minute: how often a finished call's relative time ("3 minutes ago") needs a new render. */
const RELATIVE_TIME_STEP_MS = 60_000;

/**
 * Everything a call's row shows that can change, as one string: the row re-renders only when
 * it changes (with 1,000 calls, re-rendering every row on every event drops frames).
 */
export function callSignature(call: ToolCallInfo, rows: BuildRowsContext): string {
  const clock = call.status === 'running' ? rows.now : Math.floor(rows.now / RELATIVE_TIME_STEP_MS);
  const subcalls = (rows.children.get(call.id) ?? []).map((child) => callSignature(child, rows));
  return [
    call.status,
    call.endedAt?.getTime(),
    call.output?.length,
    call.outputTruncated,
    rows.revealed.indexOf(call.id),
    clock,
    `[${subcalls.join(',')}]`,
  ].join('|');
}
