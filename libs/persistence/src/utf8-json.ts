/** A piece of JSON text: a string, or one ASCII byte (a bracket, a comma, a colon). */
type Piece = string | number;

const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * The UTF-8 bytes of `JSON.stringify(value)` for plain data, after the `leading` bytes (jsonb's
 * binary format begins with its version, 1), made piece by piece: the items of a top-level
 * array, and of a top-level object's arrays, are stringified one at a time and written into
 * one buffer. JSON.stringify of a whole batch makes one large string, which V8 holds in parts
 * and copies whole before any write (non-ASCII text makes it two bytes a character, and past
 * 128 KiB each copy is a fresh mapping of its own: page faults); no piece here is that large.
 */
export function utf8Json(value: unknown, leading: readonly number[] = []): Buffer {
  const pieces: Piece[] = [];
  if (Array.isArray(value)) pushItems(pieces, value);
  else if (isPlainObject(value)) pushObject(pieces, value);
  else pieces.push(stringify(value));
  let size = leading.length;
  for (const piece of pieces) size += typeof piece === 'number' ? 1 : Buffer.byteLength(piece);
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const byte of leading) bytes[offset++] = byte;
  for (const piece of pieces) {
    if (typeof piece === 'number') bytes[offset++] = piece;
    else offset += bytes.write(piece, offset);
  }
  return bytes;
}

function pushItems(pieces: Piece[], items: readonly unknown[]): void {
  pieces.push(OPEN_ARRAY);
  items.forEach((item, index) => {
    if (index > 0) pieces.push(COMMA);
    pieces.push(JSON.stringify(item) ?? 'null'); // as in an array: undefined and functions are null
  });
  pieces.push(CLOSE_ARRAY);
}

function pushObject(pieces: Piece[], object: object): void {
  pieces.push(OPEN_OBJECT);
  let first = true;
  for (const [key, inner] of Object.entries(object)) {
    const text = Array.isArray(inner) ? null : (JSON.stringify(inner) as string | undefined);
    if (text === undefined) continue; // as JSON.stringify: the property is left out
    if (!first) pieces.push(COMMA);
    first = false;
    pieces.push(JSON.stringify(key), COLON);
    if (text === null) pushItems(pieces, inner as unknown[]);
    else pieces.push(text);
  }
  pieces.push(CLOSE_OBJECT);
}

/** An object JSON.stringify writes as its own properties (no toJSON of its own, no class). */
function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}

function stringify(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError('utf8Json: the value has no JSON');
  return text;
}
