import { buildToPlay, collect } from '../test/source-helpers.js';
import { demoScript } from './demo-script.js';
import { DEMO_MODEL, DEMO_PROMPT, DemoSource, demoSpeed } from './demo-source.js';

const steps = demoScript();
const averageStepMs = steps.reduce((sum, step) => sum + step.delayMs, 0) / steps.length;

describe('demoSpeed', () => {
  it("plays the script's own pacing when no interval is asked for", () => {
    expect(demoSpeed(undefined)).toBe(1);
  });

  it('stretches the script so that its steps are `eventIntervalMs` apart on average', () => {
    expect(demoSpeed(averageStepMs)).toBeCloseTo(1);
    expect(demoSpeed(averageStepMs / 2)).toBeCloseTo(2);
    expect(demoSpeed(averageStepMs * 4)).toBeCloseTo(0.25);
  });

  it('plays an interval of 0 as fast as it can, at a finite speed', () => {
    const speed = demoSpeed(0);
    expect(Number.isFinite(speed)).toBe(true);
    expect(speed).toBeGreaterThan(demoSpeed(1));
  });
});

describe('DemoSource', () => {
  const source = new DemoSource();

  it('brings its own model and prompt for a request that names none', () => {
    expect(source.defaults).toEqual({ model: DEMO_MODEL, prompt: DEMO_PROMPT });
  });

  it("yields the script's steps in order", async () => {
    const build = buildToPlay({ agent: 'demo', eventIntervalMs: 0 });
    const batches = await collect(source.events(build, new AbortController().signal));
    expect(batches).toEqual(steps.map((step) => step.events));
  });

  it('stops on abort without ending the session', async () => {
    const controller = new AbortController();
    controller.abort();
    const build = buildToPlay({ agent: 'demo', eventIntervalMs: 0 });
    expect(await collect(source.events(build, controller.signal))).toEqual([]);
  });
});
