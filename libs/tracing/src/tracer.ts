import { trace, type Tracer } from '@opentelemetry/api';

/** The one instrumentation scope of Buildcast's own spans. */
export const TRACER_NAME = 'buildcast';

/** Asked at each use, not cached: a provider registered later (a test's) takes effect. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Attribute names of Buildcast's spans (seq ranges: see docs/architecture.md, Tracing). */
export const SPAN_ATTRIBUTES = {
  sessionId: 'buildcast.session_id',
  projectId: 'buildcast.project_id',
  events: 'buildcast.events',
  fromSeq: 'buildcast.seq.from',
  toSeq: 'buildcast.seq.to',
  frames: 'buildcast.frames',
  sockets: 'buildcast.sockets',
  bytes: 'buildcast.bytes',
  transport: 'buildcast.transport',
} as const;
