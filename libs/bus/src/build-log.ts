import { Injectable, Logger } from '@nestjs/common';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AppendResult, NewBuildEvent } from '#contracts';
import { EventStore, type AppendOptions } from '#persistence';
import { SPAN_ATTRIBUTES, tracer } from '#tracing';
import { EventPublisher } from './event-publisher.js';

/**
 * The one append-and-announce, for every writer (the runner, the sweepers, the API's cancel).
 * Postgres assigns the seqs in the append's transaction; only then is the doorbell rung. A
 * failed publish is logged, never thrown: readers fill any gap from Postgres by seq, so a
 * committed append must never look like a failure to its caller.
 */
@Injectable()
export class BuildLog {
  private readonly logger = new Logger(BuildLog.name);

  constructor(
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Traced as `buildlog.append` (the commit and the publish), a child of the caller's active
   * span; its `bus.publish` child is the context the announcement carries.
   */
  async append(sessionId: string, events: NewBuildEvent[], options?: AppendOptions): Promise<AppendResult> {
    const span = tracer().startSpan('buildlog.append', {
      attributes: { [SPAN_ATTRIBUTES.sessionId]: sessionId, [SPAN_ATTRIBUTES.events]: events.length },
    });
    try {
      const committed = await this.store.append(sessionId, events, options);
      span.setAttributes({
        [SPAN_ATTRIBUTES.fromSeq]: committed.fromSeq,
        [SPAN_ATTRIBUTES.toSeq]: committed.toSeq,
      });
      await context
        .with(trace.setSpan(context.active(), span), () => this.publisher.publishCommitted(committed))
        .catch((error: Error) => this.logger.warn(`Publish for ${sessionId} failed: ${error.message}`));
      return committed;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }
}
