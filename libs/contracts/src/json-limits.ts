/**
 * How deeply any JSON input (a REST body, a WebSocket frame, a transcript line) may nest.
 * Deeper input is refused before anything recursive (JSON.parse, class-transformer,
 * class-validator, jsonb) sees it: those recurse once per level and a few thousand levels
 * overflow the stack or take minutes.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * The nesting depth of JSON text, counted without recursion, stopping as soon as it passes
 * `limit` (so an 8 MB hostile body costs one pass at most). Brackets inside strings do not
 * count. The text need not be valid JSON: JSON.parse judges that afterwards.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  // Nesting deeper than `limit` needs more than `limit` opening brackets; most texts have few,
  // and counting them (a native search each) is far cheaper than the scan below.
  if (!hasMoreThan(text, OPENERS, limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

const OPENERS = ['{', '['];

/** Whether `text` holds more than `count` of the `chars`, all told. */
function hasMoreThan(text: string, chars: readonly string[], count: number): boolean {
  let seen = 0;
  for (const char of chars) {
    for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
      if (++seen > count) return true;
    }
  }
  return false;
}

export class JsonLimitError extends Error {
  override readonly name = 'JsonLimitError';
}

/** JSON.parse for untrusted text: nesting deeper than `limit` throws JsonLimitError first. */
export function parseUntrustedJson(text: string, limit = MAX_JSON_DEPTH): unknown {
  if (jsonDepthExceeds(text, limit)) {
    throw new JsonLimitError(`JSON nests deeper than ${limit} levels`);
  }
  return JSON.parse(text);
}
