/**
 * The sum of a metric's series in Prometheus' text format whose labels include `labels`
 * (0 when none: a counter not yet incremented has no series).
 */
export function sumSeries(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => series[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/** Scrapes `url` (a /metrics endpoint) for one metric; see sumSeries. */
export async function scrapeMetric(
  url: string,
  name: string,
  labels?: Record<string, string>,
): Promise<number> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return sumSeries(await response.text(), name, labels);
}
