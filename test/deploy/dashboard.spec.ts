import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { ApiMetrics } from '../../apps/api/src/observability/api-metrics.js';
import { GatewayMetrics } from '../../apps/realtime-gateway/src/metrics/gateway-metrics.js';
import type { RunningBuilds } from '../../apps/runner-worker/src/builds/running-builds.js';
import { RunnerMetrics } from '../../apps/runner-worker/src/observability/runner-metrics.js';

const DASHBOARD = path.resolve('deploy/grafana/dashboards/buildcast.json');

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** The names a registry answers to, histograms with their series' suffixes. */
function seriesNames(registry: Registry): string[] {
  return registry.getMetricsAsArray().flatMap((metric) => {
    const { name, type } = metric as unknown as { name: string; type: string };
    return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
  });
}

const apps = {
  api: new ApiMetrics(),
  gateway: new GatewayMetrics(),
  runner: new RunnerMetrics({ size: 0 } as RunningBuilds),
};
const known = new Set(Object.values(apps).flatMap((metrics) => seriesNames(metrics.registry)));
const panels = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
const queries = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel, expr: target.expr })),
);
const used = new Set(queries.flatMap(({ expr }) => expr.match(/buildcast_\w+/g) ?? []));

describe('the Grafana dashboard (deploy/grafana/dashboards)', () => {
  it('queries only metrics the apps define', () => {
    const unknown = queries.flatMap(({ panel, expr }) =>
      (expr.match(/buildcast_\w+/g) ?? [])
        .filter((name) => !known.has(name))
        .map((name) => `${panel.title}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('charts every metric of the API and the runner-worker, and figures of all three apps', () => {
    const own = (metrics: { registry: Registry }) =>
      [
        ...new Set(seriesNames(metrics.registry).map((name) => name.replace(/_(bucket|sum|count)$/, ''))),
      ].filter((name) => !/_process_|_nodejs_/.test(name));
    const charted = (name: string) =>
      ['', '_bucket', '_sum', '_count'].some((suffix) => used.has(name + suffix));
    expect(own(apps.api).filter((name) => !charted(name))).toEqual([]);
    expect(own(apps.runner).filter((name) => !charted(name))).toEqual([]);
    expect(own(apps.gateway).filter(charted).length).toBeGreaterThanOrEqual(6);
    for (const app of ['api', 'gateway', 'runner']) {
      expect([...used].some((name) => name.startsWith(`buildcast_${app}_process_`))).toBe(true);
    }
  });
});
