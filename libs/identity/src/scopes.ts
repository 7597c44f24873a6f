/** What a credential may do (contract v2, "Identity and access"). */
export const SCOPES = ['admin', 'builds:read', 'builds:write', 'agents:run'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Scopes a granted scope carries with it. `admin` is everything; writing builds includes
 * reading them. `agents:run` only starts live agents: nothing else implies it but admin.
 */
const IMPLIED: Readonly<Record<Scope, readonly Scope[]>> = {
  admin: SCOPES,
  'builds:write': ['builds:write', 'builds:read'],
  'builds:read': ['builds:read'],
  'agents:run': ['agents:run'],
};

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** True when `granted` includes `needed`, directly or by implication. */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.some((scope) => IMPLIED[scope].includes(needed));
}

/** The agents that run a process on the worker host need `agents:run`; the rest `builds:write`. */
export const LIVE_AGENTS: readonly string[] = ['claude-code', 'codex', 'command'];

export function scopeToStart(agent: string): Scope {
  return LIVE_AGENTS.includes(agent) ? 'agents:run' : 'builds:write';
}
