import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { context, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { FinishedStatus, NewBuildEvent, SessionStartedData } from '#contracts';
import type { BuildLog } from '#bus';
import type { AppendOptions } from '#persistence';
import { parentAndLinks, SPAN_ATTRIBUTES, tracer } from '#tracing';
import { appendRetryDelay, isTransient } from './append-retry.js';
import { GroupCommit, type GroupLimits, type Sized } from './group-commit.js';
import { approximateJsonLength } from './json-length.js';
import { limitToolOutputs } from './tool-output.js';

/** Group commit bounds: a burst of agent output becomes transactions of at most this much. */
export const APPEND_LIMITS: GroupLimits = { maxItems: 500, maxBytes: 1024 * 1024 };

/** An event on its way to the log, with the full text of its tool output when the event carries it shortened. */
interface QueuedEvent {
  event: NewBuildEvent;
  fullOutput?: string;
  /** The `runner.record` span of the agent's batch it came in (when tracing). */
  trace?: Context;
}

/** Where the session's log stands: `session.started` written, `session.finished` written (and how). */
interface LogState {
  started: boolean;
  finished: FinishedStatus | undefined;
}

/**
 * Writes one session's events through the BuildLog (one transaction, seqs assigned by
 * Postgres, published only after commit), group-committed (GroupCommit: whatever the agent
 * emitted while the previous append was in flight goes in the next), each append retried while
 * Postgres is away. Keeps the log well-formed whatever the agent emits: `session.started`
 * first and once, `session.finished` last and once.
 */
export class SessionRecorder {
  private readonly logger = new Logger(SessionRecorder.name);
  /** What the appender has been given so far. */
  private queued: LogState = { started: false, finished: undefined };
  /** What is committed: after a failed append, recording resumes from here. */
  private committed: LogState = { started: false, finished: undefined };
  private appender: GroupCommit<QueuedEvent>;
  /** The latest seq this recorder committed (0: none yet). */
  private committedSeq = 0;

  constructor(
    private readonly sessionId: string,
    private readonly startedData: SessionStartedData,
    private readonly log: BuildLog,
    /** Tool outputs over this many UTF-8 bytes are shortened in the log (the full text is kept aside). */
    private readonly toolOutputMaxBytes: number,
    /** How long this worker's lease on the session surely lasts: the bound of append retries. */
    private readonly leaseLeftMs: () => number,
    /** Told of every committed append (the runner's metrics). */
    private readonly observeAppend: (batchSize: number, seconds: number) => void = () => undefined,
    private readonly limits: GroupLimits = APPEND_LIMITS,
  ) {
    this.appender = this.newAppender();
  }

  get finished(): boolean {
    return this.committed.finished !== undefined;
  }

  /** How this recorder ended the session; undefined while it has not. */
  get status(): FinishedStatus | undefined {
    return this.committed.finished;
  }

  get seq(): number {
    return this.committedSeq;
  }

  /**
   * Queues the agent's events for the log. Resolves once there is room for more (a fast agent
   * is paced by its commits); rejects when an earlier append failed for good.
   */
  async record(batch: NewBuildEvent[]): Promise<void> {
    if (this.queued.finished !== undefined) return;
    const events: NewBuildEvent[] = [];
    for (const event of batch) {
      if (event.type === 'session.started') {
        if (this.queued.started) continue;
        // The runner knows who and where; the transcript may know the model and the prompt.
        event.data = {
          ...this.startedData,
          model: event.data.model ?? this.startedData.model,
          prompt: this.startedData.prompt ?? event.data.prompt ?? null,
        };
      } else if (!this.queued.started) {
        events.push({ type: 'session.started', data: this.startedData });
      }
      this.queued.started = true;
      events.push(event);
      if (event.type === 'session.finished') {
        this.queued.finished = event.data.status;
        break;
      }
    }
    if (events.length === 0) return;
    // One span per batch the agent yielded (an unpaced replay's spans many lines), ended once queued.
    const span = tracer().startSpan('runner.record', {
      attributes: { [SPAN_ATTRIBUTES.sessionId]: this.sessionId, [SPAN_ATTRIBUTES.events]: events.length },
    });
    const batchTrace = span.isRecording() ? trace.setSpan(context.active(), span) : undefined;
    try {
      const limited = limitToolOutputs(events, this.toolOutputMaxBytes);
      await this.appender.offer(limited.events.map((event) => sized(event, limited.fullOutputs, batchTrace)));
    } finally {
      span.end();
    }
  }

  /** Ends the session unless the agent already did, and waits until everything is committed. */
  async finish(status: FinishedStatus, error: string | null = null): Promise<void> {
    if (this.queued.finished === undefined) {
      await this.record([{ type: 'session.finished', data: { status, error } }]);
    }
    await this.appender.drain();
  }

  /**
   * Ends the session `failed` after the agent or an append failed: what can still be committed
   * is; after a failed append the rest is dropped, and `session.started` (if it was lost) and
   * `session.finished` follow what was committed.
   */
  async finishAfterFailure(error: string): Promise<void> {
    await this.appender.drain().catch(() => undefined); // its failure is the one being handled
    if (this.appender.failed) {
      this.appender = this.newAppender();
      this.queued = { ...this.committed };
    }
    await this.finish('failed', error);
  }

  /** Stops recording (the session was ended elsewhere): drops what waits. */
  async abandon(): Promise<void> {
    await this.appender.close();
  }

  private newAppender(): GroupCommit<QueuedEvent> {
    return new GroupCommit((group) => this.append(group), this.limits);
  }

  /**
   * One group, one append; `committed` follows what it wrote. The group's batch identity is
   * the same on every retry: a retry after a COMMIT whose answer was lost gets that commit's
   * answer instead of appending the events again.
   */
  private async append(group: QueuedEvent[]): Promise<void> {
    const events = group.map((queued) => queued.event);
    const fullOutputs = new Map<string, string>();
    for (const { event, fullOutput } of group) {
      if (fullOutput !== undefined && event.type === 'tool.finished')
        fullOutputs.set(event.data.toolCallId, fullOutput);
    }
    const options: AppendOptions = { batch: { id: randomUUID(), expectedSeq: this.committedSeq } };
    if (fullOutputs.size > 0) options.fullOutputs = fullOutputs;
    await this.traced(group, () => this.appendWithRetry(events, options));
    for (const event of events) {
      if (event.type === 'session.started') this.committed.started = true;
      if (event.type === 'session.finished') this.committed.finished = event.data.status;
    }
  }

  /**
   * `runner.commit`: one group commit, retries included. Its parent is the `runner.record`
   * span of the group's first event, and it links the other batches the group took in; each
   * attempt's `buildlog.append` is its child.
   */
  private async traced(group: QueuedEvent[], commit: () => Promise<unknown>): Promise<void> {
    const { parent, links } = parentAndLinks(group.map((queued) => queued.trace));
    const span = tracer().startSpan(
      'runner.commit',
      {
        links,
        attributes: { [SPAN_ATTRIBUTES.sessionId]: this.sessionId, [SPAN_ATTRIBUTES.events]: group.length },
      },
      parent ?? context.active(),
    );
    try {
      await context.with(trace.setSpan(parent ?? context.active(), span), commit);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Retries while Postgres is unreachable, for as long as the lease lasts: a build survives an
   * outage shorter than its lease, and past it the sweeper ends it (see docs/architecture.md).
   */
  private async appendWithRetry(events: NewBuildEvent[], options: AppendOptions) {
    for (let attempt = 0; ; attempt++) {
      try {
        const startedAt = performance.now();
        const committed = await this.log.append(this.sessionId, events, options);
        this.observeAppend(events.length, (performance.now() - startedAt) / 1000);
        this.committedSeq = committed.toSeq;
        return committed;
      } catch (error) {
        const delay = isTransient(error) ? appendRetryDelay(attempt, this.leaseLeftMs()) : undefined;
        if (delay === undefined) throw error;
        if (attempt === 0 || attempt % 10 === 0) {
          this.logger.warn(`Append for ${this.sessionId} failed (${(error as Error).message}); retrying`);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/**
 * An event with its size for the group's byte bound: about its data's JSON (what the append
 * sends) plus the full output kept aside.
 */
function sized(
  event: NewBuildEvent,
  fullOutputs: ReadonlyMap<string, string>,
  batchTrace: Context | undefined,
): Sized<QueuedEvent> {
  const fullOutput = event.type === 'tool.finished' ? fullOutputs.get(event.data.toolCallId) : undefined;
  const bytes = approximateJsonLength(event.data) + (fullOutput?.length ?? 0);
  const item: QueuedEvent = { event };
  if (fullOutput !== undefined) item.fullOutput = fullOutput;
  if (batchTrace !== undefined) item.trace = batchTrace;
  return { item, bytes };
}
