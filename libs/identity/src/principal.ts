import type { Scope } from './scopes.js';

/** How a request or socket proved who it is. */
export type CredentialKind = 'key' | 'cookie' | 'token';

/**
 * Who is asking, after their credential was checked. Every credential comes from an API key
 * (or BUILDCAST_ADMIN_KEY, keyId null): a cookie or a token carries its key's name and limits.
 */
export interface Principal {
  via: CredentialKind;
  /** The api_keys row; null for BUILDCAST_ADMIN_KEY. */
  keyId: string | null;
  keyName: string;
  /** The part of the key that may be shown (`bc_ab12cd34`); null for BUILDCAST_ADMIN_KEY. */
  keyPrefix: string | null;
  scopes: readonly Scope[];
  /** The one project this credential may see; null: every project. */
  projectId: string | null;
  /** A token for one session sees only that session. */
  sessionId: string | null;
  /** When the credential stops working (tokens and cookies); null: until revoked. */
  expiresAt: Date | null;
  /** The web session behind a cookie, or behind a token minted with one (sign-out ends both). */
  webSessionId: string | null;
}

/** How audit records and logs name the credential. */
export function describePrincipal(principal: Principal): string {
  return principal.keyPrefix ? `${principal.keyName} (${principal.keyPrefix})` : principal.keyName;
}
