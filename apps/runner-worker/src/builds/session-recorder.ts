import { Logger } from '@nestjs/common';
import type { FinishedStatus, NewBuildEvent, SessionStartedData } from '#contracts';
import type { BuildLog } from '#bus';
import type { AppendOptions } from '#persistence';
import { appendRetryDelay, isTransient } from './append-retry.js';
import { limitToolOutputs } from './tool-output.js';

/**
 * Writes one session's events: each batch goes through the BuildLog (one transaction, seqs
 * assigned by Postgres, published only after commit), retried while Postgres is away. Keeps the log well-formed whatever the agent
 * emits: `session.started` first and once, `session.finished` last and once.
 */
export class SessionRecorder {
  private readonly logger = new Logger(SessionRecorder.name);
  private started = false;
  private finishedStatus: FinishedStatus | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly startedData: SessionStartedData,
    private readonly log: BuildLog,
    /** Tool outputs over this many UTF-8 bytes are shortened in the log (the full text is kept aside). */
    private readonly toolOutputMaxBytes: number,
    /** How long this worker's lease on the session surely lasts: the bound of append retries. */
    private readonly leaseLeftMs: () => number,
  ) {}

  get finished(): boolean {
    return this.finishedStatus !== undefined;
  }

  async record(batch: NewBuildEvent[]): Promise<void> {
    if (this.finished) return;
    // Taken for recorded only once committed: when the append fails for good, the runner's
    // `finish('failed')` must still write session.started (if it was lost) and session.finished.
    let started = this.started;
    let finishedStatus: FinishedStatus | undefined;
    const events: NewBuildEvent[] = [];
    for (const event of batch) {
      if (finishedStatus !== undefined) break;
      if (event.type === 'session.started') {
        if (started) continue;
        // The runner knows who and where; the transcript may know the model and the prompt.
        event.data = {
          ...this.startedData,
          model: event.data.model ?? this.startedData.model,
          prompt: this.startedData.prompt ?? event.data.prompt ?? null,
        };
      } else if (!started) {
        events.push({ type: 'session.started', data: this.startedData });
      }
      started = true;
      if (event.type === 'session.finished') finishedStatus = event.data.status;
      events.push(event);
    }
    if (events.length === 0) return;
    const limited = limitToolOutputs(events, this.toolOutputMaxBytes);
    await this.appendWithRetry(limited.events, { fullOutputs: limited.fullOutputs });
    this.started = started;
    this.finishedStatus = finishedStatus;
  }

  /** Ends the session unless the agent already did. */
  async finish(status: FinishedStatus, error: string | null = null): Promise<void> {
    if (!this.finished) await this.record([{ type: 'session.finished', data: { status, error } }]);
  }

  /**
   * Retries while Postgres is unreachable, for as long as the lease lasts: a build survives an
   * outage shorter than its lease, and past it the sweeper ends it (see docs/architecture.md).
   */
  private async appendWithRetry(events: NewBuildEvent[], options: AppendOptions) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.log.append(this.sessionId, events, options);
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
