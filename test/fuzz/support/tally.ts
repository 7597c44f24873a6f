import type { Surface } from './cases.js';

/** One input's answer: how it is counted, and what was wrong with it (null: allowed). */
export interface Outcome {
  surface: Surface;
  label: string;
  problem: string | null;
}

export interface Finding {
  caseId: string;
  surface: Surface;
  label: string;
  problem: string;
  /** The input as sent (ids filled in), shortened. */
  input: string;
}

/** Kept in full; the rest are only counted. */
const KEPT_FINDINGS = 25;

/** Counts per surface and outcome, and the inputs that were answered wrongly. */
export class Tally {
  readonly bySurface = new Map<Surface, Map<string, number>>();
  readonly findings: Finding[] = [];
  problems = 0;
  fiveHundreds = 0;
  inputs = 0;
  /** Time per case, by the surface of its first input: where a run spends its time. */
  readonly caseTimes = new Map<Surface, { cases: number; totalMs: number; maxMs: number }>();

  addTime(surface: Surface, ms: number): void {
    const times = this.caseTimes.get(surface) ?? { cases: 0, totalMs: 0, maxMs: 0 };
    times.cases += 1;
    times.totalMs += ms;
    times.maxMs = Math.max(times.maxMs, ms);
    this.caseTimes.set(surface, times);
  }

  /** `describe` gives the input as sent; called only for a finding that is kept. */
  add(caseId: string, outcome: Outcome, describe: () => string): void {
    this.inputs += 1;
    const labels = this.bySurface.get(outcome.surface) ?? new Map<string, number>();
    labels.set(outcome.label, (labels.get(outcome.label) ?? 0) + 1);
    this.bySurface.set(outcome.surface, labels);
    if (/^5\d\d$/.test(outcome.label)) this.fiveHundreds += 1;
    if (outcome.problem === null) return;
    this.problems += 1;
    if (this.findings.length < KEPT_FINDINGS) {
      this.findings.push({
        caseId,
        surface: outcome.surface,
        label: outcome.label,
        problem: outcome.problem,
        input: describe(),
      });
    }
  }

  /** A Markdown table: inputs per surface and their outcomes, most frequent first. */
  table(): string {
    const rows = [...this.bySurface.entries()].map(([surface, labels]) => {
      const total = [...labels.values()].reduce((sum, count) => sum + count, 0);
      const outcomes = [...labels.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([label, count]) => `${label}: ${count}`)
        .join(', ');
      const times = this.caseTimes.get(surface);
      const time = times ? `${Math.round(times.totalMs / times.cases)} / ${Math.round(times.maxMs)}` : '';
      return `| ${surface} | ${total} | ${outcomes} | ${time} |`;
    });
    return [
      '| surface | inputs | outcomes | ms per case, mean / max |',
      '| --- | ---: | --- | ---: |',
      ...rows,
    ].join('\n');
  }
}
