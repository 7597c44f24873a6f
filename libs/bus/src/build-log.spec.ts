import { Logger } from '@nestjs/common';
import type { AppendResult } from '#contracts';
import type { EventStore } from '#persistence';
import { BuildLog } from './build-log.js';
import type { EventPublisher } from './event-publisher.js';

const committed = { sessionId: 's', fromSeq: 3, toSeq: 3, events: [] } as unknown as AppendResult;

describe('BuildLog', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['error', 'warn', 'log']);
  });

  it('answers a committed append as committed when its announcement fails (the audit fills the gap)', async () => {
    const store = { append: () => Promise.resolve(committed) } as unknown as EventStore;
    const publisher = {
      publishCommitted: () => Promise.reject(new Error('Redis is unavailable')),
    } as unknown as EventPublisher;
    await expect(new BuildLog(store, publisher).append('s', [])).resolves.toBe(committed);
  });

  it('announces only what was committed: a failed append is thrown and nothing is published', async () => {
    const published: AppendResult[] = [];
    const store = { append: () => Promise.reject(new Error('closed')) } as unknown as EventStore;
    const publisher = {
      publishCommitted: (append: AppendResult) => Promise.resolve(void published.push(append)),
    } as unknown as EventPublisher;
    await expect(new BuildLog(store, publisher).append('s', [])).rejects.toThrow('closed');
    expect(published).toEqual([]);
  });
});
