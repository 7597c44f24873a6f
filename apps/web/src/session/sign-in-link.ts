/**
 * The key in a sign-in link's fragment (`/sign-in#key=bc_…`, as the API prints it on first
 * start), or null. A fragment never reaches a server or its logs.
 */
export function keyFromFragment(hash: string): string | null {
  const key = new URLSearchParams(hash.replace(/^#/, '')).get('key');
  return key ? key.trim() || null : null;
}
