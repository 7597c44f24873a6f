/**
 * What a CLI agent needs to find its tools, its credentials and its locale, and to reach its
 * service from a worker behind a proxy or a private CA (the proxy and CA variables).
 */
export const DEFAULT_AGENT_ENV =
  'PATH,HOME,USER,LOGNAME,SHELL,LANG,LC_*,TERM,TZ,TMPDIR,HTTPS_PROXY,HTTP_PROXY,NO_PROXY,https_proxy,http_proxy,no_proxy,NODE_EXTRA_CA_CERTS,SSL_CERT_FILE,SSL_CERT_DIR,ANTHROPIC_*,CLAUDE_*,OPENAI_*,CODEX_*';

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
