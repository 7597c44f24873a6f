import type { Logger } from '@nestjs/common';

/**
 * Limits fail open: without Redis they are not enforced (REST still has Postgres, sockets
 * still get their events), and this says so once per outage instead of once per request.
 */
export class FailOpenLog {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${this.what} are not enforced while Redis is unavailable (${reason})`);
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log(`${this.what} are enforced again`);
  }
}
