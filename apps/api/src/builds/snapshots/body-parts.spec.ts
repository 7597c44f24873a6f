import zlib from 'node:zlib';
import { BodyPart, crc32Combine, gzipParts } from './body-parts.js';

describe('body parts', () => {
  it('combines CRC-32s as zlib computes the CRC of the whole', () => {
    const texts = ['', 'a', 'hello, ', 'wörld 😀', 'x'.repeat(100_000), '{"seq":1}'];
    for (const a of texts) {
      for (const b of texts) {
        const [bytesA, bytesB] = [Buffer.from(a), Buffer.from(b)];
        expect(crc32Combine(zlib.crc32(bytesA), zlib.crc32(bytesB), bytesB.length)).toBe(
          zlib.crc32(Buffer.concat([bytesA, bytesB])),
        );
      }
    }
  });

  it('lays the parts out as one gzip member that decodes to their text', async () => {
    const parts = ['{"toolCalls":[', 'é😀'.repeat(5000), ',"x"'.repeat(20_000), '', ']}'].map((text) =>
      BodyPart.of(text),
    );
    const gzip = Buffer.concat(await gzipParts(parts));
    const whole = Buffer.concat(parts.map((part) => part.bytes));
    expect(zlib.gunzipSync(gzip).equals(whole)).toBe(true);
    expect(gzip.length).toBeLessThan(whole.length / 4);
    // Nothing but the parts: no part, an empty body.
    expect(zlib.gunzipSync(Buffer.concat(await gzipParts([]))).length).toBe(0);
  });

  it('compresses a part once, however many bodies share it', async () => {
    const shared = BodyPart.of('shared text '.repeat(1000));
    const first = await gzipParts([shared, BodyPart.of('one')]);
    const second = await gzipParts([BodyPart.of('two'), shared]);
    expect(second[2]).toBe(first[1]);
    expect(zlib.gunzipSync(Buffer.concat(second)).toString()).toBe(`two${'shared text '.repeat(1000)}`);
  });
});
