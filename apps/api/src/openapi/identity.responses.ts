// The answers of the key, token and sign-in routes, described for OpenAPI; each class
// implements the type the route returns.
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { SubscriptionToken, WhoAmI } from '#contracts';
import { SCOPES, type ApiKeyView, type CredentialKind, type Scope } from '#identity';
import type { Exactly } from './exactly.js';

const CREDENTIAL_KINDS = ['key', 'cookie', 'token'] as const satisfies CredentialKind[];

@ApiSchema({ name: 'ApiKey', description: 'An API key without its secret' })
export class ApiKeyResponse implements Exactly<ApiKeyView, ApiKeyResponse> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'bc_ab12cd34', description: 'the part of the key that may be shown' })
  prefix!: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: Scope[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the one project it may see; null: every one',
  })
  projectId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

@ApiSchema({ name: 'CreatedApiKey' })
export class CreatedApiKeyResponse
  extends ApiKeyResponse
  implements Exactly<ApiKeyView & { key: string }, CreatedApiKeyResponse>
{
  @ApiProperty({ description: 'the key itself: shown in this answer only (only its hash is stored)' })
  key!: string;
}

@ApiSchema({ name: 'SubscriptionToken' })
export class SubscriptionTokenResponse implements Exactly<SubscriptionToken, SubscriptionTokenResponse> {
  @ApiProperty({ description: 'for the WebSocket: ?token= or an auth message' })
  token!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}

@ApiSchema({ name: 'WhoAmI' })
export class WhoAmIResponse implements Exactly<WhoAmI, WhoAmIResponse> {
  @ApiProperty()
  keyName!: string;

  @ApiProperty({ type: String, nullable: true, description: 'null for BUILDCAST_ADMIN_KEY' })
  keyPrefix!: string | null;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: string[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  projectId!: string | null;

  @ApiProperty({ enum: CREDENTIAL_KINDS })
  via!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: until revoked' })
  expiresAt!: string | null;
}
