import type { BuildEvent } from './events.js';
import type { SessionSummary } from './snapshot.js';

/**
 * What one append committed: every writer (runner, sweepers, the API) gets it from the
 * append-and-announce operation, and the announcement is made from it.
 */
export interface AppendResult {
  projectId: string;
  sessionId: string;
  /** Committed, in seq order; duplicates dropped (may be empty). */
  events: BuildEvent[];
  /** The range of `events`; both equal the latest seq when `events` is empty. */
  fromSeq: number;
  toSeq: number;
  /** The session after the append (`seq` = its latest seq). */
  summary: SessionSummary;
  /** Status, progress, model, agentId or projectName changed. */
  summaryChanged: boolean;
}
