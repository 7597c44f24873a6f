import { isFiltering, matchesFilter } from './call-filter.js';

const bash = { name: 'Bash', input: { command: 'npm test' }, output: 'All Green', status: 'succeeded' };
const failed = { name: 'Read', input: { file_path: 'src/x.ts' }, output: null, status: 'failed' };

describe('matchesFilter', () => {
  it('failed only keeps failed calls', () => {
    const filter = { failedOnly: true, query: '' };
    expect([bash, failed].filter((call) => matchesFilter(call, filter))).toEqual([failed]);
  });

  it('searches names, inputs and outputs, ignoring case and outer spaces', () => {
    const found = (query: string) =>
      [bash, failed].filter((call) => matchesFilter(call, { failedOnly: false, query })).map((c) => c.name);
    expect(found('bash')).toEqual(['Bash']);
    expect(found(' NPM TEST ')).toEqual(['Bash']);
    expect(found('green')).toEqual(['Bash']);
    expect(found('src/x')).toEqual(['Read']);
    expect(found('nowhere')).toEqual([]);
    expect(matchesFilter(failed, { failedOnly: true, query: 'bash' })).toBe(false);
  });

  it('an empty filter filters nothing', () => {
    expect(isFiltering({ failedOnly: false, query: '  ' })).toBe(false);
    expect(isFiltering({ failedOnly: false, query: 'x' })).toBe(true);
    expect(isFiltering({ failedOnly: true, query: '' })).toBe(true);
  });
});
