import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_ADMIN_KEY } from '../../support/credentials.js';

/**
 * Polls `check` every `everyMs` until it returns a value; undefined after `timeoutMs`. The
 * suite waits on conditions, never on durations: a deadline only says when to give up.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 100,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // a service under fault: ask again
    }
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** JSON from `url`, or an error naming the status (REST answers 503 while a dependency is down). */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** `getJson`, asked again until it answers, for up to `timeoutMs`. */
export async function getJsonEventually<T>(url: string, timeoutMs = 60_000): Promise<T> {
  let last: unknown;
  const value = await waitFor(
    async () => {
      try {
        return await getJson<T>(url);
      } catch (error) {
        last = error;
        return undefined;
      }
    },
    timeoutMs,
    250,
  );
  if (value === undefined) throw new Error(`no answer from ${url} in ${timeoutMs} ms: ${String(last)}`);
  return value;
}
