import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises refused or dropped connections and Postgres shutting down or starting up', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '53300']) {
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('looks inside the driverError TypeORM wraps around the driver error', () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: withCode('57P01') });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('is false for errors of the statement itself', () => {
    expect(isDatabaseUnavailable(withCode('22P02'))).toBe(false); // invalid input syntax
    expect(isDatabaseUnavailable(withCode('40001'))).toBe(false); // a conflict, not an outage
    expect(isDatabaseUnavailable(new Error('Build session x has already finished'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
