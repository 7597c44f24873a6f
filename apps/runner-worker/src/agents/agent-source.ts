import type { BuildRequest, NewBuildEvent, SessionSummary } from '#contracts';

/** What a session shows when its request left the model or the prompt out. */
export interface SourceDefaults {
  model: string | null;
  prompt: string | null;
}

export const NO_DEFAULTS: SourceDefaults = { model: null, prompt: null };

/**
 * Who and what a session shows: the data of its `session.started`, and the context its
 * transcript is parsed in (a parser's ParserContext).
 */
export interface SessionContext {
  agentId: string;
  projectName: string;
  model: string | null;
  prompt: string | null;
}

/** One build as its source plays it. */
export interface BuildToPlay {
  /** What was asked to run: the agent kind, a replay's transcript and format, the pacing. */
  request: BuildRequest;
  /** The session the events go to (its id names a live agent's working directory). */
  session: SessionSummary;
  /** The session as shown, the source's defaults applied (sessionContext). */
  context: SessionContext;
}

/**
 * Where a build's events come from: the demo script, a transcript replay, a live agent's
 * process. One per agent kind, registered in AgentSources; the runner only records what it
 * yields and ends the session.
 */
export interface AgentSource {
  /** The model and prompt a session of this kind shows when the request gave none. */
  readonly defaults: SourceDefaults;
  /**
   * The build's events, batch by batch as the agent produces them. On abort the source stops
   * without a `session.finished` of its own: the runner decides how a stopped build ends. A
   * throw (at the call or while iterating) fails the build with its message.
   */
  events(build: BuildToPlay, signal: AbortSignal): AsyncIterable<NewBuildEvent[]>;
}

/** The session as shown: what the request asked for, else the source's defaults. */
export function sessionContext(session: SessionSummary, defaults: SourceDefaults): SessionContext {
  return {
    agentId: session.agentId,
    projectName: session.projectName,
    model: session.model ?? defaults.model,
    prompt: session.prompt ?? defaults.prompt,
  };
}
