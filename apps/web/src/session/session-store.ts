import type { WhoAmI } from '#contracts';

/**
 * Who is signed in, for every page: asked of GET /api/session once, then kept by what the
 * app learns (a sign-in, a sign-out, any 401 from the API or a watch's `signed-out`).
 */
export type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-in'; who: WhoAmI }
  | { kind: 'signed-out' }
  /** GET /api/session failed for another reason: nothing to say about it. */
  | { kind: 'unknown' };

let current: SessionState = { kind: 'checking' };
const listeners = new Set<() => void>();

export function sessionState(): SessionState {
  return current;
}

export function setSessionState(next: SessionState): void {
  current = next;
  for (const listener of listeners) listener();
}

export function markSignedOut(): void {
  if (current.kind !== 'signed-out') setSessionState({ kind: 'signed-out' });
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
