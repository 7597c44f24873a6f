import { Module } from '@nestjs/common';
import { BusModule } from '#bus';
import { IdentityModule } from '#identity';
import { KeysController } from './keys.controller.js';
import { RevocationNotices } from './revocation-notices.js';
import { SignInController } from './sign-in.controller.js';
import { TokensController } from './tokens.controller.js';

/** Keys, sign-in and tokens over REST (the AuthGuard is registered in ApiModule, after the rate limits). */
@Module({
  imports: [IdentityModule, BusModule],
  controllers: [KeysController, SignInController, TokensController],
  providers: [RevocationNotices],
})
export class IdentityApiModule {}
