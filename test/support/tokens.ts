import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, type GetToken } from '#client';
import type { SubscriptionToken } from '#contracts';
import { request } from './stack.js';

/** The SDK's `getToken` as a Node client would write it: real subscription tokens, minted with the admin key. */
export function mintTokens(apiUrl: string): GetToken {
  return async ({ projectId, sessionId }) => {
    const { status, body } = await request<SubscriptionToken>(`${apiUrl}/projects/${projectId}/tokens`, {
      body: sessionId === undefined ? {} : { sessionId },
    });
    if (status !== 201) throw new HttpError(status, `POST /tokens answered ${status}`);
    return body;
  };
}

/** Resolves once a token has expired by its own `expiresAt`, plus a second for clock rounding. */
export function pastExpiry(expiresAt: string): Promise<void> {
  return sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 1000);
}
