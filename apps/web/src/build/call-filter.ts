/** The failed-only view and the search: which calls to show. */
interface FilteredCall {
  name: string;
  input: unknown;
  output: string | null;
  status: string;
}

export interface CallFilter {
  failedOnly: boolean;
  /** Searched in the name, the input (as JSON) and the output, ignoring case. */
  query: string;
}

export const isFiltering = (filter: CallFilter): boolean => filter.failedOnly || filter.query.trim() !== '';

export function matchesFilter(call: FilteredCall, filter: CallFilter): boolean {
  if (filter.failedOnly && call.status !== 'failed') return false;
  const query = filter.query.trim().toLowerCase();
  if (!query) return true;
  const input = typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? null);
  return [call.name, input, call.output ?? ''].some((text) => text.toLowerCase().includes(query));
}
