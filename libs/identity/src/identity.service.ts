import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBuildcastDataSource } from '#persistence';
import { AppConfig } from '#config';
import { readBearer, readSessionCookie } from './cookies.js';
import {
  generateKey,
  hashSecret,
  parseKey,
  randomSecret,
  sameSecret,
  sha256,
  shownPrefix,
  verifySecret,
} from './key-secrets.js';
import type { Principal } from './principal.js';
import { isScope, type Scope } from './scopes.js';
import { looksLikeToken, signSubscriptionToken, verifySubscriptionToken } from './tokens.js';

/** An API key as lists show it: never its secret. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  projectId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  project_id: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const ADMIN_KEY_NAME = 'BUILDCAST_ADMIN_KEY';
/** Verified secrets remembered (as digests) so a busy key is not scrypt-hashed per request. */
const VERIFIED_CACHE_LIMIT = 10_000;
/** last_used_at is kept to the minute. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Every credential decision that needs Postgres: API keys, the web app's sign-ins and the
 * subscription tokens. The API and the gateway share it, so a key revoked in one is refused
 * by both at the next request, and open sockets are closed by the revocation notice.
 */
@Injectable()
export class IdentityService implements OnModuleInit {
  private tokenSecret: Uint8Array = new Uint8Array();
  private readonly verified = new Map<string, string>();
  /** When this process last wrote each key's last_used_at, so a busy key costs no write per request. */
  private readonly touchedAt = new Map<string, number>();

  constructor(
    @InjectBuildcastDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.tokenSecret = new TextEncoder().encode(
      this.config.identity.tokenSecret ?? (await this.storedTokenSecret()),
    );
  }

  /**
   * Who sent these request headers: an explicit Authorization header wins over the web app's
   * cookie, and a bad one is not retried with the cookie. `presented` tells "no credential"
   * from "a credential that does not hold" (both 401, with different messages).
   */
  async fromHeaders(headers: {
    authorization?: string;
    cookie?: string;
  }): Promise<{ principal: Principal | null; presented: boolean }> {
    if (headers.authorization !== undefined) {
      const bearer = readBearer(headers.authorization);
      return { principal: bearer ? await this.fromBearer(bearer) : null, presented: true };
    }
    const cookie = readSessionCookie(headers.cookie);
    if (cookie !== undefined) return { principal: await this.fromCookie(cookie), presented: true };
    return { principal: null, presented: false };
  }

  /** A Bearer value: an API key, BUILDCAST_ADMIN_KEY or a subscription token. */
  async fromBearer(value: string): Promise<Principal | null> {
    return looksLikeToken(value) ? this.fromToken(value) : this.fromKey(value);
  }

  async fromKey(key: string): Promise<Principal | null> {
    const adminKey = this.config.identity.adminKey;
    if (adminKey !== null && sameSecret(key, adminKey)) return this.adminPrincipal('key');
    const parsed = parseKey(key);
    if (!parsed) return null;
    const [row] = await this.dataSource.query<KeyRow[]>(`SELECT * FROM api_keys WHERE prefix = $1`, [
      parsed.prefix,
    ]);
    if (!row || row.revoked_at !== null) return null;
    if (!(await this.secretMatches(row, parsed.secret))) return null;
    this.touch(row.id);
    return keyPrincipal(row, 'key');
  }

  /** The web app's session cookie: valid while unexpired and while its key is not revoked. */
  async fromCookie(secret: string): Promise<Principal | null> {
    const [row] = await this.dataSource.query<
      (Partial<KeyRow> & {
        session_id: string;
        expires_at: Date;
        admin_key_digest: string | null;
        key_id: string | null;
      })[]
    >(
      `SELECT s.id AS session_id, s.expires_at, s.admin_key_digest, s.key_id,
              k.id, k.name, k.prefix, k.scopes, k.project_id, k.revoked_at
         FROM web_sessions s LEFT JOIN api_keys k ON k.id = s.key_id
        WHERE s.secret_hash = $1 AND s.expires_at > now()`,
      [sha256(secret)],
    );
    if (!row) return null;
    const session = { webSessionId: row.session_id, expiresAt: row.expires_at };
    if (row.key_id === null) {
      // Signed in with BUILDCAST_ADMIN_KEY: valid only while that is still the admin key.
      const adminKey = this.config.identity.adminKey;
      if (adminKey === null || row.admin_key_digest !== sha256(adminKey)) return null;
      return { ...this.adminPrincipal('cookie'), ...session };
    }
    if (row.revoked_at !== null) return null;
    this.touch(row.key_id);
    return { ...keyPrincipal(row as KeyRow, 'cookie'), ...session };
  }

  /** A subscription token whose key (and web session, if it came from one) still holds. */
  async fromToken(token: string): Promise<Principal | null> {
    const principal = await verifySubscriptionToken(this.tokenSecret, token);
    if (!principal) return null;
    return (await this.stillValid(principal)) ? principal : null;
  }

  /** Whether the key (and web session) behind a principal has not been revoked since. */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.keyId !== null) {
      const [key] = await this.dataSource.query<{ revoked_at: Date | null }[]>(
        `SELECT revoked_at FROM api_keys WHERE id = $1`,
        [principal.keyId],
      );
      if (!key || key.revoked_at !== null) return false;
    } else if (this.config.identity.adminKey === null) {
      return false; // came from an admin key that is no longer configured
    }
    if (principal.webSessionId !== null) {
      const [session] = await this.dataSource.query<unknown[]>(
        `SELECT 1 FROM web_sessions WHERE id = $1 AND expires_at > now()`,
        [principal.webSessionId],
      );
      if (!session) return false;
    }
    return true;
  }

  /**
   * Of these keys and web sessions, the ones that no longer hold (revoked, deleted, signed
   * out, expired): one query each, for the gateway's re-check of all its open sockets.
   */
  async endedAmong(ids: {
    keyIds: readonly string[];
    webSessionIds: readonly string[];
  }): Promise<{ keyIds: Set<string>; webSessionIds: Set<string> }> {
    const valid = async (sql: string, wanted: readonly string[]) =>
      wanted.length === 0
        ? new Set<string>()
        : new Set((await this.dataSource.query<{ id: string }[]>(sql, [wanted])).map((row) => row.id));
    const [keys, sessions] = await Promise.all([
      valid(`SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, ids.keyIds),
      valid(
        `SELECT id FROM web_sessions WHERE id = ANY($1::uuid[]) AND expires_at > now()`,
        ids.webSessionIds,
      ),
    ]);
    return {
      keyIds: new Set(ids.keyIds.filter((id) => !keys.has(id))),
      webSessionIds: new Set(ids.webSessionIds.filter((id) => !sessions.has(id))),
    };
  }

  async mintToken(
    issuer: Principal,
    target: { projectId: string; sessionId?: string },
  ): Promise<{ token: string; expiresAt: Date }> {
    return signSubscriptionToken(this.tokenSecret, issuer, target, this.config.identity.tokenTtlSeconds);
  }

  // ── Keys ──────────────────────────────────────────────────────────────────────────

  async createKey(input: {
    name: string;
    scopes: Scope[];
    projectId: string | null;
  }): Promise<ApiKeyView & { key: string }> {
    const { key, prefix, secret } = generateKey();
    const [row] = await this.dataSource.query<KeyRow[]>(
      `INSERT INTO api_keys (name, prefix, secret_hash, scopes, project_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [input.name, prefix, await hashSecret(secret), [...new Set(input.scopes)], input.projectId],
    );
    return { ...toKeyView(row), key };
  }

  async listKeys(): Promise<ApiKeyView[]> {
    const rows = await this.dataSource.query<KeyRow[]>(`SELECT * FROM api_keys ORDER BY created_at DESC, id`);
    return rows.map(toKeyView);
  }

  /** Revokes a key (and so its web sessions); false when no such key. */
  async revokeKey(id: string): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, count].
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id`,
      [id],
    );
    if (rows.length === 0) return false;
    await this.dataSource.query(`DELETE FROM web_sessions WHERE key_id = $1`, [id]);
    return true;
  }

  /**
   * First start without BUILDCAST_ADMIN_KEY and with no key at all: one admin key, made once
   * even when several APIs start together. Returns the key to print, or null.
   */
  async createFirstAdminKey(): Promise<string | null> {
    if (this.config.identity.adminKey !== null) return null;
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('buildcast:first-admin-key'))`);
      const [existing] = await manager.query<unknown[]>(`SELECT 1 FROM api_keys LIMIT 1`);
      if (existing) return null;
      const { key, prefix, secret } = generateKey();
      await manager.query(
        `INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ('first admin key', $1, $2, $3)`,
        [prefix, await hashSecret(secret), ['admin']],
      );
      return key;
    });
  }

  // ── Web sessions (the browser's sign-in) ─────────────────────────────────────────

  /** Trades a key for a web session; null when the key is not valid. */
  async signIn(key: string): Promise<{ cookie: string; expiresAt: Date; principal: Principal } | null> {
    const principal = await this.fromKey(key);
    if (!principal) return null;
    const cookie = randomSecret();
    const expiresAt = new Date(Date.now() + this.config.identity.webSessionMs);
    const adminKey = this.config.identity.adminKey;
    const [row] = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO web_sessions (secret_hash, key_id, admin_key_digest, expires_at)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [
        sha256(cookie),
        principal.keyId,
        principal.keyId === null && adminKey ? sha256(adminKey) : null,
        expiresAt,
      ],
    );
    return { cookie, expiresAt, principal: { ...principal, via: 'cookie', webSessionId: row.id, expiresAt } };
  }

  async signOut(webSessionId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM web_sessions WHERE id = $1`, [webSessionId]);
  }

  // ── Internals ────────────────────────────────────────────────────────────────────

  private adminPrincipal(via: Principal['via']): Principal {
    return {
      via,
      keyId: null,
      keyName: ADMIN_KEY_NAME,
      keyPrefix: null,
      scopes: ['admin'],
      projectId: null,
      sessionId: null,
      expiresAt: null,
      webSessionId: null,
    };
  }

  private async secretMatches(row: KeyRow, secret: string): Promise<boolean> {
    const digest = sha256(`${row.secret_hash}:${secret}`);
    if (this.verified.get(row.id) === digest) return true;
    if (!(await verifySecret(secret, row.secret_hash))) return false;
    if (this.verified.size >= VERIFIED_CACHE_LIMIT) this.verified.clear();
    this.verified.set(row.id, digest);
    return true;
  }

  /** last_used_at, written at most once a minute per key and never waited for. */
  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(keyId) ?? 0) < TOUCH_EVERY_MS) return;
    if (this.touchedAt.size >= VERIFIED_CACHE_LIMIT) this.touchedAt.clear();
    this.touchedAt.set(keyId, now);
    // The WHERE keeps it to once a minute across replicas too.
    this.dataSource
      .query(
        `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [keyId],
      )
      .catch(() => undefined); // bookkeeping only: a failed write must not fail the request
  }

  private async storedTokenSecret(): Promise<string> {
    await this.dataSource.query(
      `INSERT INTO identity_settings (name, value) VALUES ('token_secret', $1) ON CONFLICT (name) DO NOTHING`,
      [randomSecret()],
    );
    const [row] = await this.dataSource.query<{ value: string }[]>(
      `SELECT value FROM identity_settings WHERE name = 'token_secret'`,
    );
    return row.value;
  }
}

function keyPrincipal(row: KeyRow, via: Principal['via']): Principal {
  return {
    via,
    keyId: row.id,
    keyName: row.name,
    keyPrefix: shownPrefix(row.prefix),
    scopes: row.scopes.filter(isScope),
    projectId: row.project_id,
    sessionId: null,
    expiresAt: null,
    webSessionId: null,
  };
}

function toKeyView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: shownPrefix(row.prefix),
    scopes: row.scopes.filter(isScope),
    projectId: row.project_id,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
