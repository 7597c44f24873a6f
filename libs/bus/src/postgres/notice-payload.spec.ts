import { AnnouncementTooLargeError, decodeNotice, encodeNotice, NOTIFY_MAX_BYTES } from './notice-payload.js';

describe('NOTIFY payloads', () => {
  it('carries the channel and the message text unchanged', () => {
    const message = { projectId: 'p', sessionId: 's', fromSeq: 3, toSeq: 7, note: 'a\nb' };
    const decoded = decodeNotice(encodeNotice('buildcast:session:p:s', message));
    expect(decoded).toEqual({ channel: 'buildcast:session:p:s', raw: JSON.stringify(message) });
  });

  it('refuses a message NOTIFY would refuse, counting bytes rather than characters', () => {
    const fits = 'x'.repeat(NOTIFY_MAX_BYTES - 'c\n{"t":""}'.length);
    expect(() => encodeNotice('c', { t: fits })).not.toThrow();
    expect(() => encodeNotice('c', { t: `${fits}x` })).toThrow(AnnouncementTooLargeError);
    // 'é' is two bytes in UTF-8: half as many fit.
    expect(() => encodeNotice('c', { t: 'é'.repeat(fits.length / 2 + 1) })).toThrow(/at most 7999/);
  });

  it('ignores payloads that are not ours', () => {
    expect(decodeNotice('no newline')).toBeNull();
    expect(decodeNotice('\n{}')).toBeNull();
  });
});
