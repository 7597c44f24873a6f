import { Module } from '@nestjs/common';
import { IdentityService } from './identity.service.js';

/** Credentials for the API and the gateway; needs the app's AppConfig and DataSource. */
@Module({
  providers: [IdentityService],
  exports: [IdentityService],
})
export class IdentityModule {}
