import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_SEQ } from './builds.dto.js';

/** The client → server WebSocket messages of the contract, validated by the gateway. */
export const CLIENT_MESSAGE_TYPES = ['subscribe', 'unsubscribe', 'ping'] as const;

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
