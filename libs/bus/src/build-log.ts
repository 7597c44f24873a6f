import { Injectable, Logger } from '@nestjs/common';
import type { AppendResult, NewBuildEvent } from '#contracts';
import { EventStore, type AppendOptions } from '#persistence';
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

  async append(sessionId: string, events: NewBuildEvent[], options?: AppendOptions): Promise<AppendResult> {
    const committed = await this.store.append(sessionId, events, options);
    await this.publisher
      .publishCommitted(committed)
      .catch((error: Error) => this.logger.warn(`Publish for ${sessionId} failed: ${error.message}`));
    return committed;
  }
}
