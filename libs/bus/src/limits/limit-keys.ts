import type { AppConfig } from '#config';

/**
 * The Redis key of one limit's counter. Scoped by the queue prefix like the presence keys:
 * stacks sharing one Redis (tests, staging) never count each other's requests.
 */
export function limitKey(config: AppConfig, ...parts: string[]): string {
  return ['buildcast:limits', config.queuePrefix, ...parts].join(':');
}
