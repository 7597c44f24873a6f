import { Injectable, Logger } from '@nestjs/common';
import { BuildReadModel } from '#persistence';
import { ChannelPublisher } from './channels/channel-publisher.js';
import { ChannelSubscriber } from './channels/channel-subscriber.js';

/** Runner-workers listen here for cancel requests of the builds they run. */
export const CANCEL_CHANNEL = 'buildcast:control:cancel';

/**
 * A cancel request is both remembered and announced. Remembered in Postgres (the session's
 * `cancelled` audit entry, which the API writes first), for a worker that picks the build
 * up just after the request; announced on CANCEL_CHANNEL, for the worker already running it.
 */
@Injectable()
export class CancelRequests {
  private readonly logger = new Logger(CancelRequests.name);

  constructor(
    private readonly publisher: ChannelPublisher,
    private readonly subscriber: ChannelSubscriber,
    private readonly readModel: BuildReadModel,
  ) {}

  /** Throws when the announcement could not be sent (the API answers 503 and takes its audit entry back). */
  async request(sessionId: string): Promise<void> {
    await this.publisher.publish([{ channel: CANCEL_CHANNEL, message: { sessionId } }]);
  }

  /** False when Postgres cannot say: a cancel that comes while the build runs still reaches it. */
  async isRequested(sessionId: string): Promise<boolean> {
    try {
      return await this.readModel.cancelRequested(sessionId);
    } catch (error) {
      this.logger.warn(`Could not check for a cancel request of ${sessionId}: ${(error as Error).message}`);
      return false;
    }
  }

  /**
   * Calls `listener` with the session id of every cancel request; returns the unsubscribe.
   * Announcements are at most once (Redis pub/sub and NOTIFY keep nothing for a connection
   * that is down), so after the subscriber reconnects it is also called for each session of
   * `watched()` (the builds running here) whose request is remembered in Postgres.
   */
  async listen(
    listener: (sessionId: string) => void,
    watched: () => readonly string[],
  ): Promise<() => Promise<void>> {
    const leave = await this.subscriber.subscribe(CANCEL_CHANNEL, (message) => {
      const sessionId = (message as { sessionId?: unknown }).sessionId;
      if (typeof sessionId === 'string') listener(sessionId);
    });
    const stopRecalling = this.subscriber.onReconnect(() => void this.recall(watched(), listener));
    return async () => {
      stopRecalling();
      await leave();
    };
  }

  /** Requests that may have been announced while the subscriber was away. */
  private async recall(sessionIds: readonly string[], listener: (sessionId: string) => void): Promise<void> {
    for (const sessionId of sessionIds) {
      if (await this.isRequested(sessionId)) listener(sessionId);
    }
  }
}
