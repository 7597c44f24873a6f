import { judgeClose, judgeHttp, judgeMessage, GUARD_REASON } from './outcomes.js';

describe('fuzz outcome rules', () => {
  it('allows a 4xx only in Nest error shape with its own status', () => {
    expect(judgeHttp(400, '{"statusCode":400,"error":"Bad Request","message":["a must be b"]}')).toBeNull();
    expect(judgeHttp(404, '{"statusCode":404,"error":"Not Found","message":"x"}')).toBeNull();
    expect(judgeHttp(400, '{"statusCode":404,"error":"Not Found","message":"x"}')).toMatch(/error shape/);
    expect(judgeHttp(400, '{"statusCode":400,"message":"x"}')).toMatch(/error shape/);
    expect(judgeHttp(413, 'Payload Too Large')).toMatch(/without a JSON body/);
  });

  it('refuses every 5xx and 3xx, allows 2xx with JSON or nothing', () => {
    expect(judgeHttp(500, '{"statusCode":500,"error":"x","message":"y"}')).toMatch(/^5xx/);
    expect(judgeHttp(503, '')).toMatch(/^5xx/);
    expect(judgeHttp(302, '')).toMatch(/unexpected status/);
    expect(judgeHttp(202, '{"sessionId":"s"}')).toBeNull();
    expect(judgeHttp(204, '')).toBeNull();
    expect(judgeHttp(200, '<html>')).toMatch(/without a JSON body/);
  });

  it('outside /api (the web app: files and pages) judges the status only', () => {
    expect(judgeHttp(404, '<!DOCTYPE html>', false)).toBeNull();
    expect(judgeHttp(200, '<!doctype html>', false)).toBeNull();
    expect(judgeHttp(500, '<!DOCTYPE html>', false)).toMatch(/^5xx/);
    expect(judgeHttp(301, '', false)).toMatch(/unexpected status/);
  });

  it('allows contract close codes, not 1006, 1011, 1012 or a guard close', () => {
    for (const code of [1000, 1001, 1007, 1009, 4400, 4401, 4403, 4408, 4413, 4429]) {
      expect(judgeClose(code, 'reason')).toBeNull();
    }
    for (const code of [1006, 1011, 1012, 4000]) expect(judgeClose(code, '')).toMatch(/not a contract code/);
    expect(judgeClose(4400, GUARD_REASON)).toMatch(/a handler threw/);
  });

  it('allows known messages and client-caused errors, not unavailable', () => {
    expect(judgeMessage({ type: 'pong' })).toBeNull();
    expect(judgeMessage({ type: 'authenticated', expiresAt: null })).toBeNull();
    expect(judgeMessage({ type: 'error', code: 'forbidden', message: 'x' })).toBeNull();
    expect(judgeMessage({ type: 'events', events: [] })).toBeNull();
    expect(judgeMessage({ type: 'error', code: 'not_found', message: 'x' })).toBeNull();
    expect(judgeMessage({ type: 'error', code: 'unavailable', message: 'x' })).toMatch(/unavailable/);
    expect(judgeMessage({ type: 'surprise' })).toMatch(/unknown message type/);
  });
});
