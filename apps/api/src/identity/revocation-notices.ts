import { Injectable, Logger } from '@nestjs/common';
import { ChannelPublisher } from '#bus';
import { REVOCATIONS_CHANNEL, type RevocationNotice } from '#identity';

/** Tells every gateway to close the sockets of a revoked key or ended sign-in. */
@Injectable()
export class RevocationNotices {
  private readonly logger = new Logger(RevocationNotices.name);

  constructor(private readonly publisher: ChannelPublisher) {}

  async announce(notice: RevocationNotice): Promise<void> {
    try {
      await this.publisher.publish([{ channel: REVOCATIONS_CHANNEL, message: notice }]);
    } catch (error) {
      // REST refuses the credential already (it is checked in Postgres); gateways re-check open sockets.
      this.logger.warn(
        `Revocation notice not published (${(error as Error).message}); gateways find it on their next check`,
      );
    }
  }
}
