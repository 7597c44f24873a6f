import type { AgentCommandConfig } from '#config';
import type { LiveAgentKind } from '#contracts';

/** The command line of a live agent (after its executable) for one build. */
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
        prompt,
        '--output-format',
        'stream-json',
        '--verbose',
        ...(model ? ['--model', model] : []),
        ...command.args,
      ];
    case 'codex':
      return ['exec', '--json', ...(model ? ['--model', model] : []), ...command.args, prompt];
    case 'command':
      // A plug-in runner gets its configured arguments, then the prompt when there is one.
      return [...command.args, ...(build.prompt ? [build.prompt] : [])];
  }
}
