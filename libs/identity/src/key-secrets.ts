import {
  createHash,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type BinaryLike,
  type ScryptOptions,
} from 'node:crypto';

/**
 * API keys look like `bc_<prefix>_<secret>`: the prefix (8 lower-case letters and digits)
 * finds the row and may be shown; the secret (32 random bytes, base64url) is only hashed.
 */
const KEY_FORMAT = /^bc_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedKey {
  prefix: string;
  secret: string;
}

export function parseKey(key: string): ParsedKey | null {
  const match = KEY_FORMAT.exec(key);
  return match ? { prefix: match[1], secret: match[2] } : null;
}

/** The part of a key that may be shown in lists and audit records. */
export function shownPrefix(prefix: string): string {
  return `bc_${prefix}`;
}

export function generateKey(): { key: string; prefix: string; secret: string } {
  const prefix = Array.from(randomBytes(8), (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join(
    '',
  );
  const secret = randomBytes(32).toString('base64url');
  return { key: `bc_${prefix}_${secret}`, prefix, secret };
}

/** A random opaque secret (session cookies, the token signing secret). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Fast one-way digest, for secrets that are already random (session cookies) and for caches. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

// scrypt's cost: about 16 MiB and a few tens of ms per hash, so a stolen table is slow to try.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(secret: BinaryLike, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, SCRYPT.keylen, options, (error, derived) =>
      error ? reject(error) : resolve(derived),
    ),
  );
}

/** `scrypt$N$r$p$<salt>$<hash>`, both base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(secret, salt, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    derived.toString('base64url'),
  ].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, hash] = stored.split('$');
  if (algorithm !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const derived = await scryptAsync(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** Constant-time comparison of two strings (BUILDCAST_ADMIN_KEY against a presented key). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(sha256(a), 'hex');
  const right = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(left, right);
}
