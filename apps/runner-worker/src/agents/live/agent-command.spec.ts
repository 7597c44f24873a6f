import type { AgentCommandConfig } from '#config';
import { agentArgs } from './agent-command.js';

const command = (args: string[] = [], model: string | null = null): AgentCommandConfig => ({
  enabled: true,
  variable: 'X_BIN',
  bin: 'x',
  args,
  model,
});

describe('agentArgs', () => {
  it('runs claude in print mode with stream-json output, the model and extra arguments', () => {
    expect(
      agentArgs('claude-code', command(['--permission-mode', 'acceptEdits']), {
        prompt: 'Fix it',
        model: 'opus',
      }),
    ).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'opus',
      '--permission-mode',
      'acceptEdits',
      '--',
      'Fix it',
    ]);
  });

  it.each(['claude-code', 'codex', 'command'] as const)(
    'never lets a %s prompt be read as an option: it comes last, after --',
    (agent) => {
      const prompt = '--dangerously-skip-permissions';
      const args = agentArgs(agent, command(['--safe']), { prompt, model: null });
      expect(args.slice(-2)).toEqual(['--', prompt]);
      expect(args.indexOf(prompt)).toBe(args.length - 1);
    },
  );

  it('runs codex exec --json with the prompt last; the configured model when the build names none', () => {
    expect(
      agentArgs('codex', command(['--skip-git-repo-check'], 'gpt-5'), { prompt: 'Fix it', model: null }),
    ).toEqual(['exec', '--json', '--model', 'gpt-5', '--skip-git-repo-check', '--', 'Fix it']);
  });

  it('gives a command its arguments, then -- and the prompt when there is one', () => {
    expect(agentArgs('command', command(['run']), { prompt: null, model: null })).toEqual(['run']);
    expect(agentArgs('command', command(['run']), { prompt: 'go', model: null })).toEqual([
      'run',
      '--',
      'go',
    ]);
  });
});
