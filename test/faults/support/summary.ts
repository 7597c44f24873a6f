import type { RunResult } from './fault-run.js';

const HEADERS = [
  'scenario',
  'runs',
  'failed',
  'watchers',
  'events checked',
  'lost',
  'dup',
  'reordered',
  'builds ended',
  'endings',
  'end after fault (max)',
  'notes',
];

/** One row per scenario, in the order first seen, as a Markdown table the closing note can quote. */
export function summaryTable(results: readonly RunResult[], seed: number): string {
  const scenarios = [...new Set(results.map((result) => result.scenario))];
  const rows = scenarios.map((scenario) => {
    const runs = results.filter((result) => result.scenario === scenario);
    const sum = (pick: (result: RunResult) => number) =>
      runs.reduce((total, result) => total + pick(result), 0);
    const endings: Record<string, number> = {};
    for (const run of runs) {
      for (const [status, count] of Object.entries(run.endings))
        endings[status] = (endings[status] ?? 0) + count;
    }
    const ends = runs.map((result) => result.endMs);
    const maxEnd = ends.some((end) => end === null)
      ? 'never'
      : `${(Math.max(...(ends as number[])) / 1000).toFixed(1)} s`;
    const notes = mergeNotes(runs.flatMap((result) => result.notes));
    return [
      scenario,
      String(runs.length),
      String(runs.filter((result) => result.failures.length > 0).length),
      String(sum((result) => result.watchers)),
      String(sum((result) => result.events)),
      String(sum((result) => result.lost)),
      String(sum((result) => result.duplicated)),
      String(sum((result) => result.reordered)),
      `${sum((result) => result.buildsEnded)}/${sum((result) => result.builds)}`,
      Object.entries(endings)
        .map(([status, count]) => `${count} ${status}`)
        .join(', '),
      maxEnd,
      notes.length > 6 ? `${notes.slice(0, 6).join('; ')}; …` : notes.join('; '),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `Fault suite, FAULT_SEED=${seed}`,
    line(HEADERS),
    line(HEADERS.map(() => '---')),
    ...rows.map(line),
  ].join('\n');
}

/** Every failure of every run, for the test's assertion message. */
export function failureReport(results: readonly RunResult[]): string[] {
  return results.flatMap((result) =>
    result.failures.map((failure) => `${result.scenario} #${result.run} (seed ${result.seed}): ${failure}`),
  );
}

/** Notes of the form `name: 3` are summed over the runs; the others are listed once each. */
function mergeNotes(notes: readonly string[]): string[] {
  const totals = new Map<string, number>();
  const others = new Set<string>();
  for (const note of notes) {
    const counted = /^(.+): (\d+)$/.exec(note);
    if (counted) totals.set(counted[1], (totals.get(counted[1]) ?? 0) + Number(counted[2]));
    else others.add(note);
  }
  return [...[...totals].map(([name, total]) => `${name}: ${total}`), ...others];
}
