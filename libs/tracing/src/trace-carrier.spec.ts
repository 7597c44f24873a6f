import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { extractTrace, injectTrace, parentAndLinks } from './trace-carrier.js';

const tracer = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
}).getTracer('spec');
const inSpan = (name: string) => trace.setSpan(ROOT_CONTEXT, tracer.startSpan(name));

describe('the trace carrier of a bus message', () => {
  it('carries a recorded span as a W3C traceparent that extracts to the same span, remote', () => {
    const ctx = inSpan('bus.publish');
    const carrier = injectTrace(ctx);
    const span = trace.getSpanContext(ctx)!;
    expect(carrier).toEqual({ traceparent: `00-${span.traceId}-${span.spanId}-01` });
    const remote = trace.getSpanContext(extractTrace(carrier)!);
    expect(remote).toMatchObject({ traceId: span.traceId, spanId: span.spanId, isRemote: true });
  });

  it('is absent when nothing records (tracing off): a message gains no bytes', () => {
    expect(injectTrace(ROOT_CONTEXT)).toBeUndefined();
    const noop = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    expect(injectTrace(trace.setSpan(ROOT_CONTEXT, noop))).toBeUndefined();
  });

  it('extracts nothing from a missing or malformed carrier', () => {
    for (const carrier of [
      undefined,
      null,
      'traceparent',
      {},
      { traceparent: 42 },
      { traceparent: 'not-a-traceparent' },
      { traceparent: `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01` }, // all-zero trace id is invalid
    ]) {
      expect(extractTrace(carrier)).toBeUndefined();
    }
  });

  it('keeps a tracestate, and ignores one longer than W3C allows', () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const kept = trace.getSpanContext(extractTrace({ traceparent, tracestate: 'vendor=x' })!);
    expect(kept?.traceState?.serialize()).toBe('vendor=x');
    const dropped = trace.getSpanContext(extractTrace({ traceparent, tracestate: `v=${'x'.repeat(600)}` })!);
    expect(dropped?.traceState).toBeUndefined();
  });
});

describe('parentAndLinks', () => {
  it('makes the first context the parent and links each other span once', () => {
    const [a, b, c] = [inSpan('a'), inSpan('b'), inSpan('c')];
    const { parent, links } = parentAndLinks([undefined, a, a, b, ROOT_CONTEXT, b, c]);
    expect(parent).toBe(a);
    expect(links.map((link) => link.context.spanId)).toEqual(
      [b, c].map((ctx) => trace.getSpanContext(ctx)!.spanId),
    );
  });

  it('has no parent when no context holds a span', () => {
    expect(parentAndLinks([undefined, ROOT_CONTEXT])).toEqual({ parent: undefined, links: [] });
  });
});
