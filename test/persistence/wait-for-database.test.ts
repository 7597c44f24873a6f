import { DatabaseUnreachableError, waitForDatabase } from '#persistence';
import { createTestDatabase } from '../support/database.js';
import { freePort } from '../support/ports.js';

describe('waitForDatabase', () => {
  it('returns once Postgres answers, even when the database does not exist yet', async () => {
    const database = await createTestDatabase();
    try {
      await waitForDatabase(database.url, { attempts: 1 });
      const missing = new URL(database.url);
      missing.pathname = `/${database.name}_not_created`;
      await waitForDatabase(missing.toString(), { attempts: 1 });
    } finally {
      await database.drop();
    }
  });

  it('logs one line per failed attempt, then throws naming the server without its password', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const url = `postgres://postgres:hunter2@127.0.0.1:${port}/buildcast`;
    const waiting = waitForDatabase(url, { attempts: 3, delayMs: 10, log: (line) => lines.push(line) });
    await expect(waiting).rejects.toThrow(DatabaseUnreachableError);
    const error = (await waiting.catch((thrown: unknown) => thrown)) as Error;
    expect(error.message.split('\n')[0]).toBe(
      `Postgres is not reachable at 127.0.0.1:${port} (DATABASE_URL=postgres://postgres@127.0.0.1:${port}/buildcast): ` +
        `connect ECONNREFUSED 127.0.0.1:${port}.`,
    );
    expect(error.message).toContain('BUILDCAST_EMBEDDED=1 npm start');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^Postgres at 127.0.0.1:${port} does not answer .*attempt 1 of 3`));
    expect([error.message, ...lines].join('\n')).not.toContain('hunter2');
  });
});
