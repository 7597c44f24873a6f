/**
 * Browser origins allowed to send the session cookie with an unsafe request, and to open a
 * WebSocket: PUBLIC_URL and CORS_ORIGINS (contract v2). When PUBLIC_URL is not set the app is
 * on loopback, so the same port on localhost, 127.0.0.1 and [::1] is the same app.
 */
export function allowedOrigins(
  publicUrl: string,
  corsOrigins: readonly string[],
  publicUrlIsSet: boolean,
): Set<string> {
  const allowed = new Set([publicUrl, ...corsOrigins].map(normalizeOrigin));
  if (!publicUrlIsSet) {
    const port = new URL(publicUrl).port;
    for (const host of ['localhost', '127.0.0.1', '[::1]']) allowed.add(`http://${host}:${port}`);
  }
  return allowed;
}

/** An absent Origin is not a browser's cross-site request; a present one must be allowed. */
export function isOriginAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return allowed.has(normalizeOrigin(origin));
}

function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin; // "null" or garbage: compared as given, so never allowed
  }
}
