import { ForbiddenException } from '@nestjs/common';
import type { AppConfig } from '#config';
import { allowedOrigins, isOriginAllowed } from '#identity';

/**
 * CSRF: the session cookie rides along with any request a browser makes, so a request that
 * relies on it (or sets or ends it) must come from one of our own origins.
 */
export class CrossSiteCheck {
  private readonly origins: ReadonlySet<string>;

  constructor(config: Pick<AppConfig, 'publicUrl' | 'corsOrigins' | 'publicUrlIsSet'>) {
    this.origins = allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet);
  }

  /** Throws 403 when `origin` is a browser origin other than ours. */
  refuseForeign(origin: string | undefined): void {
    if (!isOriginAllowed(origin, this.origins)) {
      throw new ForbiddenException(`Cross-site request refused: Origin ${origin} is not allowed`);
    }
  }
}
