import { Logger, type INestApplication } from '@nestjs/common';
import { AppConfig } from '#config';
import { IdentityService } from '#identity';

/**
 * A fresh install without BUILDCAST_ADMIN_KEY gets one admin key, printed once as a sign-in
 * link (its fragment never reaches a server log). Later starts print nothing.
 */
export async function printFirstSignInLink(app: INestApplication): Promise<void> {
  const key = await app.get(IdentityService).createFirstAdminKey();
  if (key === null) return;
  const link = `${app.get(AppConfig).publicUrl}/sign-in#key=${key}`;
  new Logger('Identity').log(
    `No API key existed, so an admin key was created. It is shown this once:\n\n    ${link}\n\n` +
      'Open the link to sign in, or send the key as Authorization: Bearer <key>. Keep it secret.',
  );
}
