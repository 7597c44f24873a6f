import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TraceCarrier } from '#contracts';

/** W3C trace context only (no baggage on the bus), whatever the process registered globally. */
const propagator = new W3CTraceContextPropagator();

/** W3C caps tracestate at 512 characters; anything longer is not ours. */
const MAX_TRACESTATE = 512;

/**
 * The carrier for the span of `from` (default: the active context); undefined when there is
 * no recorded span there (tracing off), so a message gains no bytes.
 */
export function injectTrace(from: Context = context.active()): TraceCarrier | undefined {
  const span = trace.getSpan(from);
  if (!span?.isRecording()) return undefined;
  const fields: Record<string, string> = {};
  propagator.inject(from, fields, defaultTextMapSetter);
  const { traceparent, tracestate } = fields;
  if (traceparent === undefined) return undefined;
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/**
 * The remote parent a carrier names, as a context to start a child span in; undefined for a
 * missing or malformed carrier (a message from a writer without tracing, or not ours).
 */
export function extractTrace(carrier: unknown): Context | undefined {
  if (typeof carrier !== 'object' || carrier === null) return undefined;
  const { traceparent, tracestate } = carrier as Record<string, unknown>;
  if (typeof traceparent !== 'string') return undefined;
  const fields: Record<string, string> = { traceparent };
  if (typeof tracestate === 'string' && tracestate.length <= MAX_TRACESTATE) fields.tracestate = tracestate;
  const extracted = propagator.extract(ROOT_CONTEXT, fields, defaultTextMapGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/**
 * A span's parent and links when it covers the work of several others (a group commit of
 * several parser batches, a frame of several published ranges): the first is the parent,
 * the rest distinct links.
 */
export function parentAndLinks(contexts: readonly (Context | undefined)[]): {
  parent: Context | undefined;
  links: Link[];
} {
  let parent: Context | undefined;
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const ctx of contexts) {
    const spanContext = ctx && trace.getSpanContext(ctx);
    if (!spanContext || seen.has(spanContext.spanId)) continue;
    seen.add(spanContext.spanId);
    if (parent === undefined) parent = ctx;
    else links.push({ context: spanContext });
  }
  return { parent, links };
}
