import { BadRequestException } from '@nestjs/common';
import { DEFAULT_REPLAY_INTERVAL_MS, type StartBuildDto } from '#contracts/dto';
// Paced steps are counted with the demo script and the parsers the runner-worker plays.
import { demoScript } from '../../../runner-worker/src/agents/demo/demo-script.js';
import { createParser } from '#transcripts';
import { maxPacedSteps, pacingMs, playsMoreLinesThan } from './replay-pacing.js';

const DEMO_STEPS = demoScript().length;
/** Whether a line yields events does not depend on these (they only fill session.started). */
const PACING_PARSER_CONTEXT = { agentId: 'pacing', projectName: 'pacing', prompt: null, model: null };

/**
 * REPLAY_MAX_MS: a replay or demo paced to outlast it would hold a worker slot for hours
 * (four replays of 1,000 lines at 60 s held all four for 16.7 h). A 400 naming eventIntervalMs.
 */
export function assertPacingFits(body: StartBuildDto, maxMs: number): void {
  const tooSlow = (what: string) =>
    new BadRequestException([
      `eventIntervalMs: ${what} would take longer than REPLAY_MAX_MS (${maxMs} ms); lower eventIntervalMs`,
    ]);
  if (body.agent === 'demo' && body.eventIntervalMs !== undefined) {
    const ms = pacingMs(DEMO_STEPS, body.eventIntervalMs);
    if (ms > maxMs) throw tooSlow(`${DEMO_STEPS} demo steps × ${body.eventIntervalMs} ms = ${ms} ms`);
  }
  if (body.agent === 'replay') {
    const intervalMs = body.eventIntervalMs ?? DEFAULT_REPLAY_INTERVAL_MS;
    const maxSteps = maxPacedSteps(intervalMs, maxMs);
    const parser = () => createParser(body.format!, PACING_PARSER_CONTEXT);
    if (playsMoreLinesThan(body.transcript!, maxSteps, parser)) {
      throw tooSlow(`more than ${maxSteps} played lines × ${intervalMs} ms`);
    }
  }
}
