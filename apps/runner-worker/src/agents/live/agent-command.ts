import type { AgentCommandConfig } from '#config';
import type { LiveAgentKind } from '#contracts';

/**
 * The command line of a live agent (after its executable) for one build. The prompt always
 * comes last, after `--`: a prompt such as `--dangerously-skip-permissions` must reach the
 * agent as text, never as one of its options.
 */
export function agentArgs(
  agent: LiveAgentKind,
  command: AgentCommandConfig,
  build: { prompt: string | null; model: string | null },
): string[] {
  const model = build.model ?? command.model;
  const prompt = build.prompt ?? '';
  switch (agent) {
    case 'claude-code':
      return [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        ...(model ? ['--model', model] : []),
        ...command.args,
        '--',
        prompt,
      ];
    case 'codex':
      return ['exec', '--json', ...(model ? ['--model', model] : []), ...command.args, '--', prompt];
    case 'command':
      // A plug-in runner gets its configured arguments, then `--` and the prompt when there is one.
      return [...command.args, ...(build.prompt ? ['--', build.prompt] : [])];
  }
}
