/**
 * About the length of `JSON.stringify(value)`, without making it: each string counts its
 * length and quotes (escapes are not counted), each key its length and punctuation, numbers
 * and literals a few characters. For the group commit's byte bound, which is approximate
 * anyway: making the text only to measure it was a tenth of the runner's allocations, and
 * allocation is what its garbage collector spends its time on.
 */
export function approximateJsonLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return String(value).length;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      let length = 2; // the brackets
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) length += approximateJsonLength(item) + 1;
        return length;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue; // as JSON.stringify: own properties only
        const inner = approximateJsonLength((value as Record<string, unknown>)[key]);
        if (inner > 0) length += key.length + 4 + inner; // quotes, colon, comma
      }
      return length;
    }
    default:
      return 0; // undefined, functions: left out of JSON
  }
}
