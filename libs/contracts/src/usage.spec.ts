import { readUsage } from './usage.js';

describe('readUsage', () => {
  it('adds Claude cache reads and writes to the input tokens and takes its cost', () => {
    const claude = {
      input_tokens: 12,
      cache_creation_input_tokens: 7973,
      cache_read_input_tokens: 217384,
      output_tokens: 956,
      service_tier: 'standard',
      costUsd: 0.1280632,
    };
    expect(readUsage(claude)).toEqual({ inputTokens: 225369, outputTokens: 956, costUsd: 0.1280632 });
  });

  it('does not add Codex cached input tokens, which its input tokens already count', () => {
    expect(readUsage({ input_tokens: 6008, cached_input_tokens: 4096, output_tokens: 51 })).toEqual({
      inputTokens: 6008,
      outputTokens: 51,
      costUsd: null,
    });
  });

  it('reads camelCase tokens and other cost keys', () => {
    expect(readUsage({ inputTokens: 5, outputTokens: 6, total_cost_usd: 0 })).toEqual({
      inputTokens: 5,
      outputTokens: 6,
      costUsd: 0,
    });
  });

  it('is null when nothing known is there, and ignores values that are no counts', () => {
    expect(readUsage(null)).toBeNull();
    expect(readUsage({})).toBeNull();
    expect(readUsage({ input_tokens: '12', output_tokens: -1, costUsd: Number.NaN })).toBeNull();
    expect(readUsage({ input_tokens: '12', output_tokens: 3 })).toEqual({
      inputTokens: null,
      outputTokens: 3,
      costUsd: null,
    });
  });
});
