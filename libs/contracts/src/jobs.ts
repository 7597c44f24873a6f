import type { AgentKind, TranscriptFormat } from './snapshot.js';

/**
 * The payload of a `builds` job; the worker validates it with BuildJobDto. Only ids: what to
 * run is a BuildRequest stored in Postgres with the session, so Redis never holds a transcript.
 */
export interface BuildJob {
  sessionId: string;
  projectId: string;
}

/** What a build runs, as stored when it was started (prompt and model live on the session). */
export interface BuildRequest {
  agent: AgentKind;
  format?: TranscriptFormat;
  transcript?: string;
  eventIntervalMs?: number;
}
