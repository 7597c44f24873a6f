import { AGENT_KINDS, type AgentKind, type NewBuildEvent } from '#contracts';
import type { AgentSource } from './agent-source.js';
import { AgentSources, EXTERNAL_SOURCE, registerAgentSources } from './agent-sources.js';
import { DemoSource } from './demo/demo-source.js';
import { LiveAgentSource } from './live/live-agent-source.js';
import { ReplaySource } from './replay/replay-source.js';
import { buildToPlay } from './test/source-helpers.js';

/** A source that yields nothing, told apart by its name. */
function namedSource(name: string): AgentSource & { name: string } {
  return {
    name,
    defaults: { model: null, prompt: null },
    events: async function* (): AsyncGenerator<NewBuildEvent[]> {},
  };
}

const liveAgents = { run: () => (async function* () {})() };

describe('AgentSources', () => {
  const byKind = Object.fromEntries(AGENT_KINDS.map((kind) => [kind, namedSource(kind)])) as Record<
    AgentKind,
    ReturnType<typeof namedSource>
  >;
  const sources = new AgentSources(byKind);

  it.each(AGENT_KINDS)('gives the source registered for %s', (kind) => {
    expect(sources.get(kind)).toBe(byKind[kind]);
  });

  it.each(['nope', 'constructor', '__proto__', 'toString', ''])(
    'gives an unknown kind (%j) a source that fails the build naming the kind and the known ones',
    (kind) => {
      const source = sources.get(kind);
      expect(source.defaults).toEqual({ model: null, prompt: null });
      expect(() => source.events(buildToPlay({ agent: 'demo' }), new AbortController().signal)).toThrow(
        `Unknown agent kind "${kind}" (known: ${AGENT_KINDS.join(', ')})`,
      );
    },
  );
});

describe('registerAgentSources', () => {
  const sources = registerAgentSources(liveAgents);

  it('registers every agent kind', () => {
    // An unknown kind's refusing source is made per call; a registered one is always the same.
    for (const kind of AGENT_KINDS) expect(sources.get(kind)).toBe(sources.get(kind));
    expect(sources.get('nope')).not.toBe(sources.get('nope'));
  });

  it('plays demo and replay builds, and a live agent for each live kind', () => {
    expect(sources.get('demo')).toBeInstanceOf(DemoSource);
    expect(sources.get('replay')).toBeInstanceOf(ReplaySource);
    for (const kind of ['claude-code', 'codex', 'command'] as const) {
      expect(sources.get(kind)).toBeInstanceOf(LiveAgentSource);
    }
  });

  it('refuses to run an external build: its events arrive through the API', () => {
    expect(sources.get('external')).toBe(EXTERNAL_SOURCE);
    expect(() =>
      EXTERNAL_SOURCE.events(buildToPlay({ agent: 'external' }), new AbortController().signal),
    ).toThrow('An external build is fed through POST …/events by its own runner');
  });
});
