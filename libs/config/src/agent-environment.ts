/** What a CLI agent needs to find its tools, its credentials and its locale. */
export const DEFAULT_AGENT_ENV =
  'PATH,HOME,USER,LOGNAME,SHELL,LANG,LC_*,TERM,TZ,TMPDIR,ANTHROPIC_*,CLAUDE_*,OPENAI_*,CODEX_*';

/**
 * The stack's own secrets: never given to an agent, whatever AGENT_ENV allows (`*`,
 * `BUILDCAST_*`): an agent that could read them could write any build or mint credentials.
 */
const STACK_SECRETS = ['DATABASE_URL', 'REDIS_URL', 'PGPASSWORD', 'REDISCLI_AUTH'];
const STACK_SECRET_PREFIX = 'BUILDCAST_';

export function isStackSecret(name: string): boolean {
  return STACK_SECRETS.includes(name) || name.startsWith(STACK_SECRET_PREFIX);
}

/** The variables of `env` that `allowList` (AGENT_ENV) names, less the stack's own secrets. */
export function pickAgentEnvironment(
  allowList: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const rules = allowList.split(',').map((rule) => rule.trim());
  const allowed = (name: string) =>
    !isStackSecret(name) &&
    rules.some((rule) => (rule.endsWith('*') ? name.startsWith(rule.slice(0, -1)) : name === rule));
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && allowed(entry[0]),
    ),
  );
}
