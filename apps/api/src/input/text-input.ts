import { MAX_JSON_DEPTH } from '#contracts';

/** A refused input, its message naming the field (for a 400). */
export class TextInputError extends Error {
  override readonly name = 'TextInputError';
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const REPLACEMENT_CHARACTER = '\uFFFD';
/** String.prototype.isWellFormed (Node 20, not in the ES2023 typings): the fast path for 10 MB. */
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Every string of a request (body, query, params) made safe for Postgres `text` and `jsonb`:
 * - a NUL character is refused (TextInputError naming the field): neither type can hold it,
 *   and dropping it silently would change what the client meant;
 * - a lone UTF-16 surrogate (`"\ud800"` in JSON) becomes U+FFFD, as UTF-8 encoding does
 *   anywhere else (a `text` column would store U+FFFD, a `jsonb` value would throw), so what
 *   is stored, queued and echoed back is the same well-formed text.
 * Returns a copy; refuses nesting deeper than MAX_JSON_DEPTH so it never recurses unbounded.
 */
export function wellFormedInput(value: unknown, field: string, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw new TextInputError(`${field} must not contain NUL characters (\\u0000)`);
    }
    return isWellFormed(value) ? value : value.replace(LONE_SURROGATE, REPLACEMENT_CHARACTER);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) {
    throw new TextInputError(`${field} nests deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => wellFormedInput(item, `${field}[${index}]`, depth + 1));
  }
  // fromEntries defines own properties, so a "__proto__" key stays data and sets no prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      wellFormedInput(item, field === '' ? key : `${field}.${key}`, depth + 1),
    ]),
  );
}
