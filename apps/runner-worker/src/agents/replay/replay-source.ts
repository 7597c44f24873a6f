import type { NewBuildEvent } from '#contracts';
import { DEFAULT_REPLAY_INTERVAL_MS } from '#contracts/dto';
import { NO_DEFAULTS, type AgentSource, type BuildToPlay } from '../agent-source.js';
import { createParser } from '#transcripts';
import { replayTranscript } from './replay.js';

/** `agent: "replay"`: the stored transcript, parsed in its format and paced by `eventIntervalMs`. */
export class ReplaySource implements AgentSource {
  readonly defaults = NO_DEFAULTS;

  events({ request, context }: BuildToPlay, signal: AbortSignal): AsyncIterable<NewBuildEvent[]> {
    // The API refuses a replay without both; a request stored otherwise fails with its reason.
    if (request.transcript === undefined || request.format === undefined) {
      throw new Error('The replay was stored without its transcript or format');
    }
    return replayTranscript(
      request.transcript,
      createParser(request.format, context),
      request.eventIntervalMs ?? DEFAULT_REPLAY_INTERVAL_MS,
      signal,
    );
  }
}
