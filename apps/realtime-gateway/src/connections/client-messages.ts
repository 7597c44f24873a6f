import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { RawData } from 'ws';
import { CloseCode, type ClientMessage } from '#contracts';
import { CLIENT_MESSAGE_TYPES, RoomMessageDto, SubscribeMessageDto } from '#contracts/dto';

/** The contract's limit on a client frame. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

export type ParsedClientMessage =
  | { kind: 'message'; message: ClientMessage }
  /** A well-formed frame with a bad field: answered with `error`, the socket stays open. */
  | { kind: 'invalid'; message: string; projectId?: string; sessionId?: string }
  /** Not a frame of this protocol at all: the socket is closed with `code`. */
  | { kind: 'close'; code: number; reason: string };

/** Decodes and validates one client frame with the DTOs from libs/contracts. */
export function parseClientMessage(data: RawData, isBinary: boolean): ParsedClientMessage {
  const buffer = toBuffer(data);
  if (buffer.length > MAX_CLIENT_FRAME_BYTES) {
    return {
      kind: 'close',
      code: CloseCode.messageTooLarge,
      reason: `frames are limited to ${MAX_CLIENT_FRAME_BYTES} bytes`,
    };
  }
  if (isBinary) {
    return {
      kind: 'close',
      code: CloseCode.badRequest,
      reason: 'binary frames are not accepted; send JSON text',
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch {
    return { kind: 'close', code: CloseCode.badRequest, reason: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'close', code: CloseCode.badRequest, reason: 'a message must be a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return {
      kind: 'close',
      code: CloseCode.badRequest,
      reason: `unknown message type ${JSON.stringify(type)}; expected ${CLIENT_MESSAGE_TYPES.join(', ')}`,
    };
  }
  if (type === 'ping') return { kind: 'message', message: { type: 'ping' } };
  return validateRoomMessage(value as Record<string, unknown>);
}

/** Validates subscribe / unsubscribe fields, from a message or from the connect query. */
export function validateRoomMessage(value: Record<string, unknown>): ParsedClientMessage {
  const dto = plainToInstance(value.type === 'subscribe' ? SubscribeMessageDto : RoomMessageDto, value);
  const errors = validateSync(dto, { stopAtFirstError: true });
  const ids = {
    projectId: typeof value.projectId === 'string' ? value.projectId : undefined,
    sessionId: typeof value.sessionId === 'string' ? value.sessionId : undefined,
  };
  if (errors.length > 0) {
    const message = errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
    return { kind: 'invalid', message, ...ids };
  }
  const since = dto instanceof SubscribeMessageDto ? dto.since : undefined;
  return {
    kind: 'message',
    message:
      dto.type === 'subscribe'
        ? { type: 'subscribe', projectId: dto.projectId, sessionId: dto.sessionId, since }
        : { type: 'unsubscribe', projectId: dto.projectId, sessionId: dto.sessionId },
  };
}

/** ws hands over a Buffer with its default binaryType; the other shapes are handled anyway. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
