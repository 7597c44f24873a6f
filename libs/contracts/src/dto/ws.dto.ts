import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { MAX_SEQ } from './builds.dto.js';

/** The client → server WebSocket messages of the contract, validated by the gateway. */
export const CLIENT_MESSAGE_TYPES = ['subscribe', 'unsubscribe', 'ping', 'auth'] as const;

/** Longer than any subscription token or API key: a bigger `token` is not one. */
export const MAX_AUTH_TOKEN_LENGTH = 4096;

export class RoomMessageDto {
  @IsIn(['subscribe', 'unsubscribe'])
  type!: 'subscribe' | 'unsubscribe';

  @IsUUID('all', { message: 'projectId must be a UUID' })
  projectId!: string;

  @IsOptional()
  @IsUUID('all', { message: 'sessionId must be a UUID' })
  sessionId?: string;
}

export class SubscribeMessageDto extends RoomMessageDto {
  declare type: 'subscribe';

  /** Replay every event after this seq, then go live. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'since must be an integer ≥ 0' })
  @Min(0, { message: 'since must be an integer ≥ 0' })
  @Max(MAX_SEQ, { message: `since must not be greater than ${MAX_SEQ}` })
  since?: number;
}

/** `{ "type": "auth", "token": "<subscription token or API key>" }` (extension). */
export class AuthMessageDto {
  @IsIn(['auth'])
  type!: 'auth';

  @IsString({ message: 'token must be a string (a subscription token or an API key)' })
  @IsNotEmpty({ message: 'token must not be empty' })
  @MaxLength(MAX_AUTH_TOKEN_LENGTH, { message: `token must be at most ${MAX_AUTH_TOKEN_LENGTH} characters` })
  token!: string;
}
