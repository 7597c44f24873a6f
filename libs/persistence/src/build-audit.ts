import type { BuildAuditAction } from '#contracts';
import { iso } from './views.js';

/**
 * The credential behind an action on a build, as the audit keeps it: the key's id, name and
 * shown prefix, never anything secret (an identity Principal has these fields).
 */
export interface AuditActor {
  /** The api_keys row; null for BUILDCAST_ADMIN_KEY. */
  keyId: string | null;
  keyName: string;
  keyPrefix: string | null;
}

export interface AuditRecord {
  action: BuildAuditAction;
  actor: AuditActor;
}

/** The snapshot's `session.audit` of the session aliased `s`, as JSON text, oldest first. */
export const AUDIT_JSON = `(SELECT coalesce(json_agg(v), '[]')::text
     FROM (SELECT a.action, a.key_name AS "keyName", a.key_prefix AS "keyPrefix", ${iso('a.at')} AS "at"
           FROM build_audit a WHERE a.session_id = s.id ORDER BY a.id) v)`;

/** Parameters $n…$n+3 of INSERT_AUDIT-style statements: action, key id, name, prefix. */
export function auditParams({ action, actor }: AuditRecord): [string, string | null, string, string | null] {
  return [action, actor.keyId, actor.keyName, actor.keyPrefix];
}
