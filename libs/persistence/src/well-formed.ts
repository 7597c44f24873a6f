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
 * storable; the same object when nothing needs it, which is decided with one scan of the
 * JSON text, so the common case copies nothing.
 */
export function forPostgresJson<T>(value: T): T {
  if (value instanceof Map) {
    const texts = value as Map<unknown, unknown>;
    const clean = [...texts.values()].every(
      (text) => typeof text !== 'string' || storableText(text) === text,
    );
    return clean ? value : (new Map([...texts].map(([key, text]) => [key, storable(text)])) as T);
  }
  if (!ESCAPED_UNSTORABLE.test(JSON.stringify(value) ?? '')) return value;
  return storable(value) as T;
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
