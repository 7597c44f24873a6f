/**
 * Postgres cannot store two things a JavaScript string may hold: U+0000 (in text and jsonb)
 * and a lone UTF-16 surrogate (jsonb rejects its `\ud800` escape with "invalid input syntax
 * for type json"; text gets U+FFFD from the driver's UTF-8 encoding anyway). Agent output has
 * both now and then, so they are replaced with U+FFFD before an append: one bad character
 * must not fail a build, and the stored event must equal the one published.
 */

/** A surrogate that is not half of a pair (code units, no `u` flag on purpose). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * What JSON.stringify writes for U+0000 and for a lone surrogate (it escapes exactly those,
 * and writes paired surrogates as they are), after an even number of backslashes: a text
 * holding a literal backslash-u escape (`\\ud800` in JSON) does not match.
 */
const ESCAPED_UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/;

/** `text` with U+0000 and lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * `value` (JSON-serialisable data, or a Map of texts) with every string, keys included, made
 * storable; the same object when nothing needs it, which is decided by a walk over its
 * strings, so the common case copies nothing and makes no JSON text (a batch's JSON is large,
 * and a large string costs far more than its share: see docs/benchmarks.md).
 */
export function forPostgresJson<T>(value: T): T {
  if (value instanceof Map) {
    const texts = value as Map<unknown, unknown>;
    const clean = [...texts.values()].every(isStorable);
    return clean ? value : (new Map([...texts].map(([key, text]) => [key, storable(text)])) as T);
  }
  return isStorable(value) ? value : (storable(value) as T);
}

/** U+0000 or any surrogate: a cheap first look, since most texts have neither. */
// eslint-disable-next-line no-control-regex -- U+0000 is what it looks for
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/** Whether the JSON of `value` holds only storable strings (keys included). */
function isStorable(value: unknown): boolean {
  if (typeof value === 'string') {
    return !MAYBE_UNSTORABLE.test(value) || !(value.includes('\u0000') || HAS_LONE_SURROGATE.test(value));
  }
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isStorable);
  // Whatever toJSON makes (a Date's text, …) is judged by its JSON text.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return !ESCAPED_UNSTORABLE.test(JSON.stringify(value) ?? '');
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue; // as JSON.stringify: own properties only
    if (!isStorable(key) || !isStorable((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [storableText(key), storable(inner)]),
    );
  }
  return value;
}
