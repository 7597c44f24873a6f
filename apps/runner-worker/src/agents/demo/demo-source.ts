import type { NewBuildEvent } from '#contracts';
import type { AgentSource, BuildToPlay, SourceDefaults } from '../agent-source.js';
import { demoScript, playDemo } from './demo-script.js';

export const DEMO_MODEL = 'buildcast-demo';
export const DEMO_PROMPT = 'Add rate limiting to the checkout API';

/** `agent: "demo"`: the scripted build, shown with the script's own model and prompt unless the request names them. */
export class DemoSource implements AgentSource {
  readonly defaults: SourceDefaults = { model: DEMO_MODEL, prompt: DEMO_PROMPT };

  events({ request }: BuildToPlay, signal: AbortSignal): AsyncIterable<NewBuildEvent[]> {
    return playDemo(signal, demoSpeed(request.eventIntervalMs));
  }
}

/** `eventIntervalMs` on a demo sets its average pause between steps (default: the script's). */
export function demoSpeed(eventIntervalMs: number | undefined): number {
  if (eventIntervalMs === undefined) return 1;
  const steps = demoScript();
  const averageStepMs = steps.reduce((sum, step) => sum + step.delayMs, 0) / steps.length;
  return averageStepMs / Math.max(eventIntervalMs, 0.01);
}
