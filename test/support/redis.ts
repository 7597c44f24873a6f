import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A BullMQ key prefix of its own, so parallel test files never share a queue. */
export const uniqueQueuePrefix = (): string => `buildcast-test-${randomBytes(6).toString('hex')}`;
