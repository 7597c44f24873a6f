import { sumSeries } from './metrics.js';

const TEXT = `# HELP buildcast_runner_builds_total Builds
# TYPE buildcast_runner_builds_total counter
buildcast_runner_builds_total{agent="demo",outcome="completed"} 2
buildcast_runner_builds_total{agent="replay",outcome="completed"} 1
buildcast_runner_builds_total{agent="demo",outcome="failed"} 1
buildcast_runner_builds_total_extra 9
buildcast_api_long_polls_in_flight 3
`;

describe('sumSeries', () => {
  it('sums the series whose labels include the given ones', () => {
    expect(sumSeries(TEXT, 'buildcast_runner_builds_total')).toBe(4);
    expect(sumSeries(TEXT, 'buildcast_runner_builds_total', { agent: 'demo' })).toBe(3);
    expect(sumSeries(TEXT, 'buildcast_runner_builds_total', { agent: 'demo', outcome: 'failed' })).toBe(1);
    expect(sumSeries(TEXT, 'buildcast_api_long_polls_in_flight')).toBe(3);
  });

  it('is 0 for a metric or a series that is not there', () => {
    expect(sumSeries(TEXT, 'buildcast_runner_builds')).toBe(0);
    expect(sumSeries(TEXT, 'buildcast_runner_builds_total', { agent: 'codex' })).toBe(0);
  });
});
