import { toPinoCall } from './nest-log-call.js';

const STACK = 'Error: boom\n    at run (build-runner.js:1:1)\n    at next (queue.js:2:2)';

describe('toPinoCall: Nest LoggerService arguments as a pino call', () => {
  it("takes the last string parameter as the context (Nest's `new Logger(Context).log(message)`)", () => {
    expect(toPinoCall('API on http://localhost:3000/api', ['Bootstrap'])).toEqual({
      fields: { context: 'Bootstrap' },
      msg: 'API on http://localhost:3000/api',
    });
    expect(toPinoCall('no context', [])).toEqual({ fields: {}, msg: 'no context' });
  });

  it('keeps an error stack apart from the context, with or without one', () => {
    expect(toPinoCall('Build failed', [STACK, 'BuildRunner'])).toEqual({
      fields: { context: 'BuildRunner', stack: STACK },
      msg: 'Build failed',
    });
    expect(toPinoCall('Build failed', [STACK])).toEqual({ fields: { stack: STACK }, msg: 'Build failed' });
    // Nest's `logger.error(message)` with a context passes `(message, undefined, context)`.
    expect(toPinoCall('Build failed', [undefined, 'BuildRunner'])).toEqual({
      fields: { context: 'BuildRunner' },
      msg: 'Build failed',
    });
  });

  it('turns plain objects into fields of the line', () => {
    expect(
      toPinoCall('Build b1 ended: completed', [{ projectId: 'p1', sessionId: 'b1', seq: 42 }, 'BuildRunner']),
    ).toEqual({
      fields: { context: 'BuildRunner', projectId: 'p1', sessionId: 'b1', seq: 42 },
      msg: 'Build b1 ended: completed',
    });
    expect(toPinoCall({ event: 'scrape', ms: 3 }, ['Metrics'])).toEqual({
      fields: { context: 'Metrics', event: 'scrape', ms: 3 },
      msg: undefined,
    });
  });

  it('logs an Error message as `err` (pino serializes its stack)', () => {
    const error = new Error('connect ECONNREFUSED');
    expect(toPinoCall(error, ['Queue'])).toEqual({
      fields: { context: 'Queue', err: error },
      msg: 'connect ECONNREFUSED',
    });
  });

  it('appends other values to the message instead of dropping them', () => {
    expect(toPinoCall('Retrying in', [5, 'seconds', 'Queue'])).toEqual({
      fields: { context: 'Queue' },
      msg: 'Retrying in 5 seconds',
    });
    expect(toPinoCall(42, [])).toEqual({ fields: {}, msg: '42' });
  });
});
