import { LIVE_AGENT_FORMATS, type LiveAgentKind, type NewBuildEvent } from '#contracts';
import { NO_DEFAULTS, type AgentSource, type BuildToPlay } from '../agent-source.js';
import { createParser } from '#transcripts';
import type { LiveAgents } from './live-agents.js';

/** A live agent kind (claude-code, codex, command): its process's stdout, parsed in the kind's format. */
export class LiveAgentSource implements AgentSource {
  readonly defaults = NO_DEFAULTS;

  constructor(
    private readonly agent: LiveAgentKind,
    private readonly agents: Pick<LiveAgents, 'run'>,
  ) {}

  events({ session, context }: BuildToPlay, signal: AbortSignal): AsyncIterable<NewBuildEvent[]> {
    const parser = createParser(LIVE_AGENT_FORMATS[this.agent], context);
    return this.agents.run(this.agent, session, parser, signal);
  }
}
