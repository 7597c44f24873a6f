import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { CommittedEventsNotice } from '#contracts';
import { injectTrace } from '#tracing';
import { DeliveryTraces, type SendOutcome } from './delivery-traces.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
  'spec',
);

/** A notice for fromSeq..toSeq published inside its own `bus.publish` span. */
function published(fromSeq: number, toSeq: number): { notice: CommittedEventsNotice; spanId: string } {
  const ctx = trace.setSpan(ROOT_CONTEXT, tracer.startSpan('bus.publish'));
  return {
    notice: { projectId: 'p', sessionId: 's', fromSeq, toSeq, trace: injectTrace(ctx) },
    spanId: trace.getSpanContext(ctx)!.spanId,
  };
}

const sent: SendOutcome = { frames: 1, sockets: 2, bytes: 300 };
const finished = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

describe('DeliveryTraces', () => {
  let traces: DeliveryTraces;
  beforeEach(() => {
    exporter.reset();
    traces = new DeliveryTraces('s', () => tracer);
  });

  it('makes one ws.send per batch: child of the first received range in it, linked to the others', () => {
    const first = published(1, 2);
    const second = published(3, 5);
    traces.received(first.notice, 0);
    traces.received(second.notice, 0);
    traces.send(1, 5, () => sent);

    const [receiveFirst, receiveSecond] = finished('room.receive');
    expect(receiveFirst.parentSpanContext?.spanId).toBe(first.spanId);
    expect(receiveSecond.parentSpanContext?.spanId).toBe(second.spanId);
    const [send] = finished('ws.send');
    expect(send.parentSpanContext?.spanId).toBe(receiveFirst.spanContext().spanId);
    expect(send.links.map((link) => link.context.spanId)).toEqual([receiveSecond.spanContext().spanId]);
    expect(send.attributes).toMatchObject({
      'buildcast.seq.from': 1,
      'buildcast.seq.to': 5,
      'buildcast.frames': 1,
      'buildcast.sockets': 2,
      'buildcast.bytes': 300,
    });
  });

  it('keeps room.receive open until a batch has sent its last seq', () => {
    traces.received(published(1, 4).notice, 0);
    traces.send(1, 2, () => sent);
    expect(finished('room.receive')).toHaveLength(0);
    traces.send(3, 4, () => sent);
    expect(finished('room.receive')).toHaveLength(1);
    // Both batches carried part of the range: both are in its trace.
    const receiveId = finished('room.receive')[0].spanContext().spanId;
    expect(finished('ws.send').map((send) => send.parentSpanContext?.spanId)).toEqual([receiveId, receiveId]);
  });

  it('sends without a span when no traced range is in the batch', () => {
    traces.received({ projectId: 'p', sessionId: 's', fromSeq: 1, toSeq: 3 }, 0);
    let calls = 0;
    traces.send(1, 3, () => {
      calls += 1;
      return sent;
    });
    expect(calls).toBe(1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('ends a repeat of what was sent at once, and what waits when the room closes', () => {
    traces.received(published(1, 2).notice, 2);
    expect(finished('room.receive')[0].attributes['buildcast.duplicate']).toBe(true);
    traces.received(published(3, 4).notice, 2);
    traces.close();
    expect(finished('room.receive')).toHaveLength(2);
    expect(finished('ws.send')).toHaveLength(0);
  });
});
