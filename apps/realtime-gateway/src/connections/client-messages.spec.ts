import { CloseCode, MAX_JSON_DEPTH } from '#contracts';
import { parseClientMessage, validateRoomMessage } from './client-messages.js';

const P = '11111111-1111-4111-8111-111111111111';
const text = (value: string) => Buffer.from(value);

describe('parseClientMessage', () => {
  it("closes 4400 on the probe's deep frame, naming the depth limit", () => {
    const probe = '{"type":"subscribe","projectId":"x","x":' + '['.repeat(2500) + ']'.repeat(2500) + '}';
    expect(parseClientMessage(text(probe), false)).toEqual({
      kind: 'close',
      code: CloseCode.badRequest,
      reason: `JSON nests deeper than ${MAX_JSON_DEPTH} levels (the gateway's limit)`,
    });
  });

  it('accepts a frame nested up to the limit in a field it ignores', () => {
    const frame = JSON.stringify({ type: 'subscribe', projectId: P }).slice(0, -1);
    const deep = `${frame},"x":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    expect(parseClientMessage(text(deep), false)).toEqual({
      kind: 'message',
      message: { type: 'subscribe', projectId: P, sessionId: undefined, since: undefined },
    });
  });

  it('closes 4400 on malformed JSON, 4413 on a frame over 64 KiB', () => {
    expect(parseClientMessage(text('{"type":'), false)).toMatchObject({
      code: 4400,
      reason: 'malformed JSON',
    });
    expect(parseClientMessage(text(' '.repeat(65 * 1024)), false)).toMatchObject({ code: 4413 });
  });
});

describe('parseClientMessage: auth', () => {
  it('reads the token of an `auth` message and nothing else', () => {
    expect(parseClientMessage(text(JSON.stringify({ type: 'auth', token: 'a.b.c', x: [1] })), false)).toEqual(
      {
        kind: 'message',
        message: { type: 'auth', token: 'a.b.c' },
      },
    );
  });

  it('answers a missing, empty or oversized token with bad_request, naming the field', () => {
    for (const token of [undefined, '', 42, 'x'.repeat(5000)]) {
      expect(parseClientMessage(text(JSON.stringify({ type: 'auth', token })), false)).toMatchObject({
        kind: 'invalid',
        type: 'auth',
        message: expect.stringMatching(/^token /),
      });
    }
  });
});

describe('validateRoomMessage', () => {
  it('never touches a field it does not know', () => {
    const hostile = {
      type: 'subscribe',
      projectId: P,
      get trap(): never {
        throw new Error('an unknown field was walked');
      },
    };
    expect(validateRoomMessage(hostile)).toMatchObject({ kind: 'message' });
  });

  it('does not recurse into an unknown field of any depth', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(validateRoomMessage({ type: 'subscribe', projectId: P, x: deep })).toMatchObject({
      kind: 'message',
    });
  });

  it('names the bad field and keeps the ids for the error reply', () => {
    expect(validateRoomMessage({ type: 'subscribe', projectId: P, since: -1 })).toEqual({
      kind: 'invalid',
      type: 'subscribe',
      message: 'since must be an integer ≥ 0',
      projectId: P,
      sessionId: undefined,
    });
  });
});
