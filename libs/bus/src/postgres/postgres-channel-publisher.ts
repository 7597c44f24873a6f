import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBuildcastDataSource } from '#persistence';
import { ChannelPublisher, type Announcement } from '../channels/channel-publisher.js';
import { encodeNotice, NOTIFY_CHANNEL } from './notice-payload.js';

/**
 * NOTIFY on the app's own pool, after the commit like a Redis PUBLISH. Announcements never
 * carry event bodies (see CommittedEventsNotice). One that is too large for NOTIFY is not
 * sent, and the others are; the caller gets the error.
 */
@Injectable()
export class PostgresChannelPublisher extends ChannelPublisher {
  readonly carriesEventBodies = false;
  private readonly logger = new Logger(PostgresChannelPublisher.name);

  constructor(@InjectBuildcastDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async publish(announcements: readonly Announcement[]): Promise<void> {
    const payloads: string[] = [];
    let refused: Error | undefined;
    for (const { channel, message } of announcements) {
      try {
        payloads.push(encodeNotice(channel, message));
      } catch (error) {
        refused = error as Error;
        this.logger.warn(refused.message);
      }
    }
    if (payloads.length > 0) {
      // One statement: delivered in this order, all at once, when it commits.
      await this.dataSource.query(
        `SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n`,
        [NOTIFY_CHANNEL, payloads],
      );
    }
    if (refused) throw refused;
  }
}
