import { Logger } from '@nestjs/common';
import type { FinishedStatus, NewBuildEvent, SessionStartedData } from '#contracts';
import type { EventPublisher } from '#bus';
import type { AppendOptions, EventStore } from '#persistence';
import { limitToolOutputs } from './tool-output.js';

const APPEND_RETRY_DELAYS_MS = [200, 1000, 3000];

/**
 * Writes one session's events: each batch is appended (one transaction, seqs assigned by
 * Postgres) and published only after commit. Keeps the log well-formed whatever the agent
 * emits: `session.started` first and once, `session.finished` last and once.
 */
export class SessionRecorder {
  private readonly logger = new Logger(SessionRecorder.name);
  private started = false;
  private finishedStatus: FinishedStatus | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly startedData: SessionStartedData,
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    /** Tool outputs over this many UTF-8 bytes are shortened in the log (the full text is kept aside). */
    private readonly toolOutputMaxBytes: number,
  ) {}

  get finished(): boolean {
    return this.finishedStatus !== undefined;
  }

  async record(batch: NewBuildEvent[]): Promise<void> {
    const events: NewBuildEvent[] = [];
    for (const event of batch) {
      if (this.finished) break;
      if (event.type === 'session.started') {
        if (this.started) continue;
        // The runner knows who and where; the transcript may know the model.
        event.data = { ...this.startedData, model: event.data.model ?? this.startedData.model };
      } else if (!this.started) {
        events.push({ type: 'session.started', data: this.startedData });
      }
      this.started = true;
      if (event.type === 'session.finished') this.finishedStatus = event.data.status;
      events.push(event);
    }
    if (events.length === 0) return;
    const limited = limitToolOutputs(events, this.toolOutputMaxBytes);
    await this.append(limited.events, { fullOutputs: limited.fullOutputs });
  }

  /** Ends the session unless the agent already did. */
  async finish(status: FinishedStatus, error: string | null = null): Promise<void> {
    if (!this.finished) await this.record([{ type: 'session.finished', data: { status, error } }]);
  }

  private async append(events: NewBuildEvent[], options: AppendOptions): Promise<void> {
    const committed = await this.appendWithRetry(events, options);
    // Publishing is only the doorbell: a lost message is filled from Postgres by seq.
    await this.publisher
      .publishCommitted(committed)
      .catch((error: Error) => this.logger.warn(`Publish for ${this.sessionId} failed: ${error.message}`));
  }

  private async appendWithRetry(events: NewBuildEvent[], options: AppendOptions) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.append(this.sessionId, events, options);
      } catch (error) {
        const delay = APPEND_RETRY_DELAYS_MS[attempt];
        if (delay === undefined || !isTransient(error)) throw error;
        this.logger.warn(`Append for ${this.sessionId} failed (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** Connection-level failures are worth retrying; a refused append (closed session) is not. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|57P0[1-3]|08\d{3}|40001|40P01)$/.test(code);
}
