import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BusModule } from '#bus';
import { IdentityModule } from '#identity';
import { AuthGuard } from './auth.guard.js';
import { KeysController } from './keys.controller.js';
import { RevocationNotices } from './revocation-notices.js';
import { SignInController } from './sign-in.controller.js';
import { TokensController } from './tokens.controller.js';

/** Keys, sign-in and tokens over REST, and the guard every other route passes. */
@Module({
  imports: [IdentityModule, BusModule],
  controllers: [KeysController, SignInController, TokensController],
  providers: [RevocationNotices, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityApiModule {}
