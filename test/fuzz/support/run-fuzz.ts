import { runInThisContext } from 'node:vm';
import fc from 'fast-check';
import { fuzzCases } from './arbitraries.js';
import type { FuzzCase } from './cases.js';
import type { FuzzStack } from './fuzz-stack.js';
import { sendRaw, sendRest } from './send-http.js';
import { sendWs } from './send-ws.js';
import { Tally, type Outcome } from './tally.js';

export interface FuzzOptions {
  seed: number;
  /** Stop starting cases once this many inputs (requests, connects, frames) were sent. */
  inputs: number;
  /** Cases in flight at once. */
  concurrency: number;
  /** Started builds (202) beyond this go to an unknown project instead (404), so data stays bounded. */
  maxBuilds?: number;
  /** `chunk.index` of one case to replay alone (FUZZ_CASE). */
  only?: string;
  /** Aborted: no more cases are started (the suite stops a run that outlived its test). */
  signal?: AbortSignal;
}

export interface FuzzReport {
  seed: number;
  tally: Tally;
  /** Uncaught exceptions and unhandled rejections in this process (where the API runs). */
  crashes: string[];
  /** The gateway process's exit, when it exited during the run. */
  gatewayExit: string | null;
  /** ERROR lines the gateway logged (a handler that failed, whatever the client saw). */
  gatewayErrors: string[];
  /** How many WARN lines it logged (refused sockets: invalid UTF-8, frames over 1 MiB). */
  gatewayWarnings: number;
  /** Every build of the stack by status at the end (the two seeded ones included). */
  builds: Record<string, number>;
  /** Builds the runner-worker ended with `Runner error: …`: input that broke a parser. */
  runnerErrors: string[];
  wallMs: number;
}

/** Cases are generated in chunks, each from its own seed: case `c.i` is the i-th of chunk c. */
const CHUNK = 200;
/** Not a row of the stack: where builds go once maxBuilds were started. */
const UNKNOWN_PROJECT = '7f1f6a3e-0000-4000-8000-00000000f022';

/**
 * Sends generated inputs against the stack, `concurrency` cases at a time, and judges every
 * answer (outcomes.ts). Crashes are watched on the real process object: jest gives a test
 * its own `process`, whose listeners never see them.
 */
export async function runFuzz(fuzz: FuzzStack, options: FuzzOptions): Promise<FuzzReport> {
  const arbitrary = fuzzCases(fuzz.transcriptLines);
  const tally = new Tally();
  const crashes: string[] = [];
  const hostProcess = runInThisContext('process') as NodeJS.Process;
  const onCrash = (error: unknown) =>
    crashes.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  hostProcess.on('uncaughtException', onCrash);
  hostProcess.on('unhandledRejection', onCrash);
  let gatewayExit: string | null = null;
  void fuzz.gateway.exited.then((code) => (gatewayExit ??= `exited with ${code}`));

  const apiUrl = fuzz.stack.apiUrl;
  const wsBase = {
    gateway: fuzz.gateway.wsUrl.replace(/\/ws$/, ''),
    api: apiUrl.replace(/^http/, 'ws').replace(/\/api$/, ''),
  };
  const maxBuilds = options.maxBuilds ?? 200;
  let buildsStarted = 0;
  const ids: Record<string, string> = { ...fuzz.ids, build: fuzz.ids.session };
  const fillWith = (overrides: Record<string, string>) => (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (match, name: string) => overrides[name] ?? ids[name] ?? match);
  const fill = fillWith({});
  const fillNoMoreBuilds = fillWith({ project: UNKNOWN_PROJECT, finishedProject: UNKNOWN_PROJECT });

  const send = async (input: FuzzCase): Promise<Outcome[]> => {
    switch (input.kind) {
      case 'rest': {
        const limited = input.surface === 'POST …/builds' && buildsStarted >= maxBuilds;
        const { outcome, body } = await sendRest(apiUrl, input, limited ? fillNoMoreBuilds : fill);
        if (input.surface === 'POST …/builds' && outcome.label === '202') {
          buildsStarted += 1;
          ids.build = (JSON.parse(body) as { sessionId: string }).sessionId;
        }
        return [outcome];
      }
      case 'raw':
        return sendRaw(apiUrl, input.text, fill);
      case 'ws':
        return sendWs(wsBase[input.via], input, fill);
    }
  };

  const cases = options.only
    ? oneCase(arbitrary, options.seed, options.only)
    : allCases(arbitrary, options.seed);
  const started = Date.now();
  // Inputs the cases in flight will send at most (a closed socket skips its remaining frames).
  let inFlight = 0;
  let exhausted = false;
  const worker = async () => {
    while (tally.inputs + inFlight < options.inputs && gatewayExit === null && !options.signal?.aborted) {
      const next = cases.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const [caseId, input] = next.value;
      const planned =
        input.kind === 'ws' ? 1 + input.frames.reduce((sum, f) => sum + ('flood' in f ? f.flood : 1), 0) : 1;
      inFlight += planned;
      const caseStarted = performance.now();
      const outcomes = await send(input);
      inFlight -= planned;
      tally.addTime(outcomes[0].surface, performance.now() - caseStarted);
      for (const outcome of outcomes) tally.add(caseId, outcome, () => describeCase(input, fill));
    }
  };
  try {
    while (tally.inputs < options.inputs && gatewayExit === null && !exhausted && !options.signal?.aborted) {
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    }
    // One more turn of the event loop: Node reports an unhandled rejection after its tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hostProcess.off('uncaughtException', onCrash);
    hostProcess.off('unhandledRejection', onCrash);
  }
  const gatewayLines = fuzz.gateway.output().split('\n');
  const builds = await fuzz.builds();
  return {
    builds: builds.byStatus,
    runnerErrors: builds.runnerErrors,
    seed: options.seed,
    tally,
    crashes,
    gatewayExit,
    gatewayErrors: gatewayLines.filter((line) => /\bERROR\b/.test(line)).slice(0, 20),
    gatewayWarnings: gatewayLines.filter((line) => /\bWARN\b/.test(line)).length,
    wallMs: Date.now() - started,
  };
}

function* allCases(arbitrary: fc.Arbitrary<FuzzCase>, seed: number): Generator<[string, FuzzCase]> {
  for (let chunk = 0; ; chunk++) {
    const values = fc.sample(arbitrary, { seed: seed + chunk, numRuns: CHUNK });
    for (const [index, value] of values.entries()) yield [`${chunk}.${index}`, value];
  }
}

function* oneCase(
  arbitrary: fc.Arbitrary<FuzzCase>,
  seed: number,
  id: string,
): Generator<[string, FuzzCase]> {
  const [chunk, index] = id.split('.').map(Number);
  yield [id, fc.sample(arbitrary, { seed: seed + chunk, numRuns: CHUNK })[index]];
}

/** The input as sent, shortened for a report. */
function describeCase(input: FuzzCase, fill: (text: string) => string): string {
  const short = (text: string) =>
    text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  switch (input.kind) {
    case 'rest':
      return short(
        `${input.method} /api${fill(input.path)} ${JSON.stringify(input.headers)} ${input.body === undefined ? '' : fill(input.body)}`,
      );
    case 'raw':
      return short(JSON.stringify(fill(input.text)));
    case 'ws':
      return short(
        `${input.via} ${input.path}?${fill(input.query)} ${JSON.stringify({ authorization: input.authorization, cookie: input.cookie, origin: input.origin })} frames ${JSON.stringify(input.frames.map((frame) => ('text' in frame ? fill(frame.text) : frame)))}`,
      );
  }
}

/** The summary printed after a run. */
export function fuzzSummary(report: FuzzReport, title: string): string {
  const { tally } = report;
  const lines = [
    `${title}: FUZZ_SEED=${report.seed}, ${tally.inputs} inputs in ${(report.wallMs / 1000).toFixed(1)} s ` +
      `(${Math.round(tally.inputs / (report.wallMs / 1000))}/s)`,
    tally.table(),
    `5xx: ${tally.fiveHundreds}; crashes: ${report.crashes.length + (report.gatewayExit ? 1 : 0)}` +
      `${report.gatewayExit ? ` (gateway ${report.gatewayExit})` : ''}; inputs answered wrongly: ${tally.problems}; ` +
      `gateway log: ${report.gatewayErrors.length} errors, ${report.gatewayWarnings} warnings`,
  ];
  lines.push(
    `builds at the end: ${Object.entries(report.builds)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ')}; runner errors: ${report.runnerErrors.length}`,
  );
  for (const line of report.gatewayErrors) lines.push(`- gateway error: ${line}`);
  for (const line of report.runnerErrors) lines.push(`- runner error: ${line}`);
  for (const finding of tally.findings) {
    lines.push(
      `- case ${finding.caseId} (FUZZ_SEED=${report.seed} FUZZ_CASE=${finding.caseId}) ${finding.surface} → ${finding.label}: ${finding.problem}\n    input: ${finding.input}`,
    );
  }
  for (const crash of report.crashes.slice(0, 5)) lines.push(`- crash: ${crash}`);
  return lines.join('\n');
}
