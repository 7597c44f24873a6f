import type { Context, Span, Tracer } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import type { CommittedEventsNotice } from '#contracts';
import { extractTrace, parentAndLinks, SPAN_ATTRIBUTES, tracer as buildcastTracer } from '#tracing';

/** A published range the room took in, and its span, until a frame has sent all of it. */
interface Received {
  fromSeq: number;
  toSeq: number;
  span: Span;
  context: Context;
}

/** What one flushed batch came to: counted by the caller as it sends. */
export interface SendOutcome {
  frames: number;
  sockets: number;
  bytes: number;
}

/**
 * A session room's spans. `room.receive`: one per published range that carried a trace
 * context (a child of the writer's `bus.publish`), open from its arrival until a frame has
 * sent its last seq, so its length is the time the range spent in the gateway (sequencing,
 * coalescing). `ws.send`: one per flushed batch that holds a traced range: a child of the
 * earliest such `room.receive`, linked to the others, with the batch's seq range. Ranges
 * without a trace context (tracing off, or read from Postgres) cost nothing here.
 */
export class DeliveryTraces {
  private pending: Received[] = [];

  constructor(
    private readonly sessionId: string,
    private readonly tracer: () => Tracer = buildcastTracer,
  ) {}

  /** A notice arrived; `sentSeq`: the highest seq the room has already sent. */
  received(notice: CommittedEventsNotice, sentSeq: number): void {
    const parent = extractTrace(notice.trace);
    if (!parent) return;
    const span = this.tracer().startSpan(
      'room.receive',
      {
        attributes: {
          [SPAN_ATTRIBUTES.sessionId]: this.sessionId,
          [SPAN_ATTRIBUTES.fromSeq]: notice.fromSeq,
          [SPAN_ATTRIBUTES.toSeq]: notice.toSeq,
          [SPAN_ATTRIBUTES.events]: notice.events?.length ?? 0,
        },
      },
      parent,
    );
    if (!span.isRecording()) return;
    if (notice.toSeq <= sentSeq) {
      // A repeat of what was sent (a redelivery): nothing more will send it.
      span.setAttribute('buildcast.duplicate', true);
      span.end();
      return;
    }
    this.pending.push({
      fromSeq: notice.fromSeq,
      toSeq: notice.toSeq,
      span,
      context: trace.setSpan(parent, span),
    });
  }

  /**
   * Sends the batch fromSeq..toSeq (`send`), as a `ws.send` span when a traced range is in
   * it; then ends the `room.receive` spans whose ranges it completed.
   */
  send(fromSeq: number, toSeq: number, send: () => SendOutcome): void {
    // Every range not sent yet that starts by toSeq has seqs in this batch.
    const inBatch = this.pending.filter((received) => received.fromSeq <= toSeq);
    if (inBatch.length === 0) {
      send();
      return;
    }
    const { parent, links } = parentAndLinks(inBatch.map((received) => received.context));
    const span = this.tracer().startSpan(
      'ws.send',
      {
        links,
        attributes: {
          [SPAN_ATTRIBUTES.sessionId]: this.sessionId,
          [SPAN_ATTRIBUTES.fromSeq]: fromSeq,
          [SPAN_ATTRIBUTES.toSeq]: toSeq,
        },
      },
      parent,
    );
    try {
      const outcome = send();
      span.setAttributes({
        [SPAN_ATTRIBUTES.frames]: outcome.frames,
        [SPAN_ATTRIBUTES.sockets]: outcome.sockets,
        [SPAN_ATTRIBUTES.bytes]: outcome.bytes,
      });
    } finally {
      span.end();
      this.settle(toSeq);
    }
  }

  /** The room closed: what was not sent never will be. */
  close(): void {
    for (const received of this.pending.splice(0)) received.span.end();
  }

  private settle(toSeq: number): void {
    const done = this.pending.filter((received) => received.toSeq <= toSeq);
    if (done.length === 0) return;
    this.pending = this.pending.filter((received) => received.toSeq > toSeq);
    for (const received of done) received.span.end();
  }
}
