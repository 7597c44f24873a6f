import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { RawData } from 'ws';
import {
  CloseCode,
  JsonLimitError,
  MAX_JSON_DEPTH,
  parseUntrustedJson,
  type ClientMessage,
} from '#contracts';
import { AuthMessageDto, CLIENT_MESSAGE_TYPES, RoomMessageDto, SubscribeMessageDto } from '#contracts/dto';

/** The contract's limit on a client frame. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

export type ParsedClientMessage =
  | { kind: 'message'; message: ClientMessage }
  /** A well-formed frame with a bad field: answered with `error`, the socket stays open. */
  | { kind: 'invalid'; type: string; message: string; projectId?: string; sessionId?: string }
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
    value = parseUntrustedJson(buffer.toString('utf8'));
  } catch (error) {
    const reason =
      error instanceof JsonLimitError
        ? `JSON nests deeper than ${MAX_JSON_DEPTH} levels (the gateway's limit)`
        : 'malformed JSON';
    return { kind: 'close', code: CloseCode.badRequest, reason };
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
  if (type === 'auth') return validateAuthMessage(value as Record<string, unknown>);
  return validateRoomMessage(value as Record<string, unknown>);
}

/** `{ "type": "auth", "token": "…" }`: only the token reaches class-transformer (see below). */
function validateAuthMessage(value: Record<string, unknown>): ParsedClientMessage {
  const dto = plainToInstance(AuthMessageDto, { type: value.type, token: value.token });
  const errors = validateSync(dto, { stopAtFirstError: true });
  if (errors.length > 0) {
    const message = errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
    return { kind: 'invalid', type: 'auth', message };
  }
  return { kind: 'message', message: { type: 'auth', token: dto.token } };
}

/**
 * Validates subscribe / unsubscribe fields, from a message or from the connect query. Only
 * the known fields reach class-transformer: it walks every field it is given, recursively,
 * so an unknown field must never be one of them (the depth check is the first line, this
 * the second).
 */
export function validateRoomMessage(value: Record<string, unknown>): ParsedClientMessage {
  const { type, projectId, sessionId, since } = value;
  const dto = plainToInstance(type === 'subscribe' ? SubscribeMessageDto : RoomMessageDto, {
    type,
    projectId,
    sessionId,
    since,
  });
  const errors = validateSync(dto, { stopAtFirstError: true });
  const ids = {
    projectId: typeof projectId === 'string' ? projectId : undefined,
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
  };
  if (errors.length > 0) {
    const message = errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
    return { kind: 'invalid', type: String(type), message, ...ids };
  }
  return {
    kind: 'message',
    message:
      dto instanceof SubscribeMessageDto
        ? { type: 'subscribe', projectId: dto.projectId, sessionId: dto.sessionId, since: dto.since }
        : { type: 'unsubscribe', projectId: dto.projectId, sessionId: dto.sessionId },
  };
}

/** ws hands over a Buffer with its default binaryType; the other shapes are handled anyway. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
