/** Postgres refuses a NOTIFY payload of 8,000 bytes or more. */
export const NOTIFY_MAX_BYTES = 7999;

/** The one Postgres channel every announcement goes on; listeners pick theirs by `channel`. */
export const NOTIFY_CHANNEL = 'buildcast_bus';

export class AnnouncementTooLargeError extends Error {
  constructor(channel: string, bytes: number) {
    super(`An announcement on ${channel} is ${bytes} bytes; NOTIFY takes at most ${NOTIFY_MAX_BYTES}`);
    this.name = 'AnnouncementTooLargeError';
  }
}

/**
 * A NOTIFY payload: the bus channel, a newline, the message as JSON. Bus channel names have
 * no newline, so the message's text is forwarded as it was sent (no re-serializing).
 */
export function encodeNotice(channel: string, message: object): string {
  const payload = `${channel}\n${JSON.stringify(message)}`;
  const bytes = Buffer.byteLength(payload);
  if (bytes > NOTIFY_MAX_BYTES) throw new AnnouncementTooLargeError(channel, bytes);
  return payload;
}

/** The channel and message text of a payload; null for one that is not ours. */
export function decodeNotice(payload: string): { channel: string; raw: string } | null {
  const newline = payload.indexOf('\n');
  if (newline <= 0) return null;
  return { channel: payload.slice(0, newline), raw: payload.slice(newline + 1) };
}
