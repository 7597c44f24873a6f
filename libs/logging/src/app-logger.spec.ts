import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { AppLogger } from './app-logger.js';

/** An AppLogger writing into an array, one entry per line. */
function capture(options: Omit<ConstructorParameters<typeof AppLogger>[0], 'destination'>) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = new AppLogger({ ...options, destination });
  return { logger, lines, json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('AppLogger', () => {
  it('writes JSON lines that name the app, the level, the context and the fields', () => {
    const { logger, json } = capture({ app: 'runner', format: 'json' });
    logger.log('Build b1 ended: completed', { projectId: 'p1', sessionId: 'b1', seq: 42 }, 'BuildRunner');
    logger.warn('Queue worker: connection lost', 'BuildsProcessor');
    const [ended, warned] = json();
    expect(ended).toMatchObject({
      app: 'runner',
      level: 'info',
      context: 'BuildRunner',
      msg: 'Build b1 ended: completed',
      projectId: 'p1',
      sessionId: 'b1',
      seq: 42,
      pid: process.pid,
    });
    expect(typeof ended.time).toBe('string');
    expect(warned).toMatchObject({ app: 'runner', level: 'warn', msg: 'Queue worker: connection lost' });
  });

  it('writes pretty lines (not JSON) with the app, the context and the message when asked', () => {
    const { logger, lines } = capture({ app: 'api', format: 'pretty' });
    logger.log('API on http://localhost:3000/api', 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0]) as unknown).toThrow();
    expect(lines[0]).toMatch(/INFO.*api \[Bootstrap\] API on http:\/\/localhost:3000\/api/);
  });

  it("keeps only Nest's levels it was given (tests pass error and warn), pino's own lines too", () => {
    const { logger, json } = capture({ app: 'api', format: 'json', levels: ['error', 'warn'] });
    logger.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    logger.pino.info('GET /api/projects 200 3 ms'); // what pino-http writes, on this logger
    logger.debug('not enabled');
    logger.error('Build failed', 'BuildRunner');
    expect(json().map((line) => line.msg)).toEqual(['Build failed']);
    logger.setLogLevels(['log', 'warn', 'error']);
    logger.pino.info('GET /api/projects 200 3 ms');
    expect(json().map((line) => line.msg)).toEqual(['Build failed', 'GET /api/projects 200 3 ms']);
  });

  it("serves Nest's Logger: `new Logger(Context)` lines come out of it", () => {
    const { logger, json } = capture({ app: 'gateway', format: 'json' });
    Logger.overrideLogger(logger);
    try {
      new Logger('RoomRegistry').warn('Audit found a gap');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(json()).toEqual([
      expect.objectContaining({ app: 'gateway', context: 'RoomRegistry', msg: 'Audit found a gap' }),
    ]);
  });
});
