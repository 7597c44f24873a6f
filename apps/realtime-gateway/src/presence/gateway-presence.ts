import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PresenceService } from '#bus';

/**
 * Says that a gateway runs here (the API's `/api/health/gateway` counts them), from inside the
 * module: an app that mounts it has nothing to call.
 */
@Injectable()
export class GatewayPresence implements OnApplicationBootstrap {
  constructor(private readonly presence: PresenceService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.presence.announce('gateway');
  }
}
