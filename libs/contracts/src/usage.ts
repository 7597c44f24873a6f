/**
 * The figures people want from `session.finished.usage`, whichever agent reported it. The
 * usage object is kept as the agent sent it; these are the keys read from it:
 * - input tokens: `input_tokens` (or `inputTokens`) plus Claude's `cache_creation_input_tokens`
 *   and `cache_read_input_tokens` (Codex's `cached_input_tokens` is already part of its
 *   `input_tokens`, so it is not added),
 * - output tokens: `output_tokens` (or `outputTokens`),
 * - cost in US dollars: `costUsd` (what the Claude parser stores), `total_cost_usd` or `cost_usd`.
 */
export interface UsageFigures {
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

const INPUT_KEYS = ['input_tokens', 'inputTokens'];
const CACHE_INPUT_KEYS = ['cache_creation_input_tokens', 'cache_read_input_tokens'];
const OUTPUT_KEYS = ['output_tokens', 'outputTokens'];
const COST_KEYS = ['costUsd', 'total_cost_usd', 'cost_usd'];

/** Null when the usage says none of these figures. */
export function readUsage(usage: Record<string, unknown> | null | undefined): UsageFigures | null {
  if (!usage) return null;
  const first = (keys: string[]) =>
    keys.map((key) => count(usage[key])).find((value) => value !== null) ?? null;
  const input = first(INPUT_KEYS);
  const cached = CACHE_INPUT_KEYS.map((key) => count(usage[key])).filter((value) => value !== null);
  const figures: UsageFigures = {
    inputTokens:
      input === null && cached.length === 0 ? null : cached.reduce((sum, value) => sum + value, input ?? 0),
    outputTokens: first(OUTPUT_KEYS),
    costUsd: first(COST_KEYS),
  };
  return Object.values(figures).every((value) => value === null) ? null : figures;
}

/** A finite, non-negative number, else null (usage comes from agents: anything may be there). */
function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
