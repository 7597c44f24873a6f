import { Readable } from 'node:stream';
import type { LiveAgentKind, NewBuildEvent, SessionSummary } from '#contracts';
import type { TranscriptParser } from '#transcripts';
import { NO_DEFAULTS } from '../agent-source.js';
import { buildToPlay, collect } from '../test/source-helpers.js';
import { LiveAgentSource } from './live-agent-source.js';

/** One line saying "hi" in the format each live agent prints. */
const HI: Record<LiveAgentKind, string> = {
  'claude-code': JSON.stringify({
    type: 'assistant',
    message: { id: 'msg_1', role: 'assistant', content: [{ type: 'text', text: 'hi' }] },
  }),
  codex: JSON.stringify({
    type: 'item.completed',
    item: { id: 'item_0', type: 'agent_message', text: 'hi' },
  }),
  command: JSON.stringify({ type: 'message', data: { role: 'assistant', text: 'hi' } }),
};

/** Stands in for LiveAgents: feeds `line` to the parser it is given, as a process's stdout would. */
function fakeAgents(line: string) {
  const calls: { agent: LiveAgentKind; session: SessionSummary }[] = [];
  return {
    calls,
    async *run(
      agent: LiveAgentKind,
      session: SessionSummary,
      parser: TranscriptParser,
    ): AsyncGenerator<NewBuildEvent[]> {
      calls.push({ agent, session });
      for await (const stdoutLine of Readable.from([line])) yield parser.parseLine(stdoutLine as string);
      yield parser.end();
    },
  };
}

describe('LiveAgentSource', () => {
  it.each(Object.keys(HI) as LiveAgentKind[])(
    "runs %s on the build's session and parses its output in the agent's format",
    async (agent) => {
      const agents = fakeAgents(HI[agent]);
      const build = buildToPlay({ agent }, { agentId: agent, projectName: 'shop', prompt: 'Do it' });
      const events = (
        await collect(new LiveAgentSource(agent, agents).events(build, new AbortController().signal))
      ).flat();
      expect(agents.calls).toEqual([{ agent, session: build.session }]);
      const message = events.find((event) => event.type === 'message');
      expect(message?.data).toMatchObject({ role: 'assistant', text: 'hi' });
      const started = events.find((event) => event.type === 'session.started');
      expect(started?.data).toMatchObject({ agentId: agent, projectName: 'shop', prompt: 'Do it' });
    },
  );

  it('brings no defaults: the agent is run with what the request asked', () => {
    expect(new LiveAgentSource('codex', fakeAgents('')).defaults).toEqual(NO_DEFAULTS);
  });
});
