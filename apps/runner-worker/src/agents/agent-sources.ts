import type { Provider } from '@nestjs/common';
import type { AgentKind } from '#contracts';
import { NO_DEFAULTS, type AgentSource } from './agent-source.js';
import { DemoSource } from './demo/demo-source.js';
import { LiveAgentSource } from './live/live-agent-source.js';
import { LiveAgents } from './live/live-agents.js';
import { ReplaySource } from './replay/replay-source.js';

/**
 * `agent: "external"`: its runner feeds the session through the API (`POST …/events`, parsed
 * by the API's ingest with the same parsers), never through a runner-worker. Such a session is
 * created running with no stored request, so no worker can claim it; should one be handed a
 * build of this kind all the same, the build fails with this reason.
 */
export const EXTERNAL_SOURCE = refusingSource(
  'An external build is fed through POST …/events by its own runner; a runner-worker never runs it',
);

/** The source of each agent kind; the runner asks it for the source of the build it runs. */
export class AgentSources {
  constructor(private readonly byKind: Readonly<Record<AgentKind, AgentSource>>) {}

  /**
   * The source of `agent`. A kind this worker does not know (a session written by a newer
   * version) gets a source that fails the build naming it, so that the session still ends.
   */
  get(agent: string): AgentSource {
    if (Object.hasOwn(this.byKind, agent)) return this.byKind[agent as AgentKind];
    return refusingSource(`Unknown agent kind "${agent}" (known: ${Object.keys(this.byKind).join(', ')})`);
  }
}

/** Every agent kind's source, registered in this one place (a Record: a new kind must be added here). */
export function registerAgentSources(live: Pick<LiveAgents, 'run'>): AgentSources {
  return new AgentSources({
    demo: new DemoSource(),
    replay: new ReplaySource(),
    'claude-code': new LiveAgentSource('claude-code', live),
    codex: new LiveAgentSource('codex', live),
    command: new LiveAgentSource('command', live),
    external: EXTERNAL_SOURCE,
  });
}

/** The worker's AgentSources, its live agents run by its LiveAgents. */
export const AGENT_SOURCES_PROVIDER: Provider = {
  provide: AgentSources,
  inject: [LiveAgents],
  useFactory: registerAgentSources,
};

function refusingSource(reason: string): AgentSource {
  return {
    defaults: NO_DEFAULTS,
    events: () => {
      throw new Error(reason);
    },
  };
}
