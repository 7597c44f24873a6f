import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PresenceService } from '#bus';

/** Says that an API runs here, from inside the module: an app that mounts it has nothing to call. */
@Injectable()
export class ApiPresence implements OnApplicationBootstrap {
  constructor(private readonly presence: PresenceService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.presence.announce('api');
  }
}
