import type { Principal } from './principal.js';
import { hasScope, type Scope } from './scopes.js';

/** What a request needs: one of `scopes`, on a project (and session) when it names one. */
export interface AccessNeed {
  /** Any one of these is enough. */
  scopes: readonly Scope[];
  projectId?: string;
  sessionId?: string;
}

/**
 * The contract's answers: no or bad credential → 401 (`unauthenticated`); a project or
 * session outside the credential's → 404 (`not_found`, so another project's ids never show);
 * valid but lacking the scope → 403 (`forbidden`).
 */
export type AccessDecision = 'allow' | 'unauthenticated' | 'not_found' | 'forbidden';

export function decideAccess(
  principal: Principal | null,
  need: AccessNeed,
  now = new Date(),
): AccessDecision {
  if (principal === null) return 'unauthenticated';
  if (principal.expiresAt !== null && principal.expiresAt.getTime() <= now.getTime())
    return 'unauthenticated';
  // Visibility first: someone who may not see a project must not learn it exists, whatever they ask.
  if (
    need.projectId !== undefined &&
    principal.projectId !== null &&
    principal.projectId !== need.projectId
  ) {
    return 'not_found';
  }
  if (principal.sessionId !== null) {
    if (need.sessionId !== undefined && need.sessionId !== principal.sessionId) return 'not_found';
    // A token for one session cannot act on its whole project (list it, start builds in it).
    if (need.sessionId === undefined) return 'forbidden';
  }
  return need.scopes.some((scope) => hasScope(principal.scopes, scope)) ? 'allow' : 'forbidden';
}

/** Whether a subscription (project room, or one session's room) is within the credential. */
export function maySubscribe(
  principal: Principal,
  projectId: string,
  sessionId: string | undefined,
  now = new Date(),
): AccessDecision {
  return decideAccess(principal, { scopes: ['builds:read'], projectId, sessionId }, now);
}
