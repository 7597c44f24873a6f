import { promisify } from 'node:util';
import zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * Measured in bench/hydration on the 5,000-call snapshot: level 3 (zlib's fast strategy) costs a
 * fraction of level 4's time (its lazy matching) for a few percent more bytes.
 */
export const GZIP_PART_LEVEL = 3;

/**
 * A piece of a response body, kept by successive snapshots while its text is unchanged, with
 * its CRC-32 and its gzip segment computed once, when first asked. A segment is a raw deflate
 * stream of the part alone, sync-flushed (it ends on a byte boundary, not as the last block),
 * so segments can be laid end to end in one gzip member (as pigz does): changing one part of
 * a body compresses that part again, not the body.
 */
export class BodyPart {
  private checksum?: number;
  private segment?: Promise<Buffer>;

  constructor(readonly bytes: Buffer) {}

  static of(text: string): BodyPart {
    return new BodyPart(Buffer.from(text));
  }

  get crc(): number {
    this.checksum ??= zlib.crc32(this.bytes);
    return this.checksum;
  }

  deflated(): Promise<Buffer> {
    this.segment ??= deflateRaw(this.bytes, {
      level: GZIP_PART_LEVEL,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    }).catch((error: unknown) => {
      this.segment = undefined;
      throw error;
    });
    return this.segment;
  }
}

export function byteLength(chunks: readonly Buffer[]): number {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  return length;
}

// RFC 1952: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
// An empty fixed-Huffman block with BFINAL set: what deflate writes when it finishes empty.
const LAST_BLOCK = Buffer.from([0x03, 0x00]);

/** One gzip member holding `parts` in order, as buffers to send one after the other. */
export async function gzipParts(parts: readonly BodyPart[]): Promise<Buffer[]> {
  const segments = await Promise.all(parts.map((part) => part.deflated()));
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    crc = crc32Combine(crc, part.crc, part.bytes.length);
    length += part.bytes.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return [GZIP_HEADER, ...segments, LAST_BLOCK, trailer];
}

// CRC-32 arithmetic of zlib's crc32_combine (crc32.c): polynomials modulo the reflected
// CRC-32 polynomial, so the CRC of A + B comes from those of A and B and B's length.
const POLY = 0xedb88320;
const TOP_BIT = 0x80000000;

/** a × b modulo the CRC polynomial (bit-reflected, x^0 in the top bit). */
function multiplyModPoly(a: number, b: number): number {
  let product = 0;
  for (let bit = TOP_BIT; bit !== 0; bit >>>= 1) {
    if (a & bit) {
      product ^= b;
      if ((a & (bit - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0…31. */
const X_2N = (() => {
  const table: number[] = [];
  let power = 0x40000000; // x^1
  table.push(power);
  for (let k = 1; k < 32; k++) table.push((power = multiplyModPoly(power, power)));
  return table;
})();

/** x^(n·2^k) modulo the polynomial. */
function xPowerModPoly(n: number, k: number): number {
  let power = TOP_BIT; // x^0
  for (; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2) power = multiplyModPoly(X_2N[k & 31], power);
  }
  return power;
}

/** The CRC-32 of A followed by B, from crc(A), crc(B) and B's length in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModPoly(xPowerModPoly(lengthB, 3), crcA) ^ crcB) >>> 0;
}
