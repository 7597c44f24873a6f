import type { AgentKind, TranscriptFormat } from './snapshot.js';

/** The payload of a `builds` job; the worker validates it with BuildJobDto. */
export interface BuildJob {
  sessionId: string;
  projectId: string;
  agent: AgentKind;
  format?: TranscriptFormat;
  transcript?: string;
  eventIntervalMs?: number;
  prompt?: string;
  model?: string;
}
