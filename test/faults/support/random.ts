export { seededRandom, type Random } from '../../support/random.js';

/** A seed from `FAULT_SEED` when given (to replay a run), otherwise a fresh one. */
export function chooseSeed(given: string | undefined): number {
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0)
      throw new Error(`FAULT_SEED must be a non-negative integer, got ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
