/**
 * Redis channel on which the API announces revoked credentials, so every gateway closes the
 * sockets that used them at once (4401). Gateways also re-check open sockets now and then,
 * in case a notice was lost: Redis only announces.
 */
export const REVOCATIONS_CHANNEL = 'buildcast:revocations';

export type RevocationNotice = { keyId: string } | { webSessionId: string };

export function parseRevocationNotice(text: string): RevocationNotice | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.keyId === 'string') return { keyId: value.keyId };
    if (typeof value.webSessionId === 'string') return { webSessionId: value.webSessionId };
  } catch {
    // not a notice of ours
  }
  return null;
}

/** Whether a notice ends a credential that `principal` depends on. */
export function revokes(
  notice: RevocationNotice,
  principal: { keyId: string | null; webSessionId: string | null },
): boolean {
  return 'keyId' in notice
    ? notice.keyId === principal.keyId
    : notice.webSessionId === principal.webSessionId;
}
