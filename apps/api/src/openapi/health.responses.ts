import { applyDecorators } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  ApiServiceUnavailableResponse,
  type SchemaObject,
} from '@nestjs/swagger';
import type { HealthCheckStatus, HealthIndicatorResult } from '@nestjs/terminus';
import type { HealthReport } from '#health';
import { TRANSPORTS, type Transport } from '#config';
import type { Exactly } from './exactly.js';

const HEALTH_STATUSES = ['ok', 'error', 'degraded', 'shutting_down'] as const satisfies HealthCheckStatus[];

/** Service name → `{ status: up | down, ... }` with what the check found (terminus' shape). */
const INDICATORS: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
    additionalProperties: true,
  },
};

/** The answer of /api/health and /api/health/:service, with 200 and with 503 alike. */
@ApiSchema({ name: 'HealthReport' })
export class HealthReportResponse implements Exactly<HealthReport, HealthReportResponse> {
  @ApiProperty({ enum: HEALTH_STATUSES, description: 'error on 503' })
  status!: HealthCheckStatus;

  @ApiPropertyOptional({ ...INDICATORS, description: 'the services that are up' })
  info?: HealthIndicatorResult;

  @ApiPropertyOptional({ ...INDICATORS, description: 'the services that are down' })
  error?: HealthIndicatorResult;

  @ApiProperty({ ...INDICATORS, description: 'every checked service' })
  details!: HealthIndicatorResult;

  @ApiProperty({ ...INDICATORS, description: 'the contract’s name for `details`' })
  checks!: HealthIndicatorResult;

  @ApiProperty({ enum: TRANSPORTS, description: 'what carries announcements and the build queue' })
  transport!: Transport;
}

/** A health route's two answers: 200 when every checked service is up, else 503, same shape. */
export const ApiHealthReport = (): MethodDecorator =>
  applyDecorators(
    ApiOkResponse({ type: HealthReportResponse, description: 'every checked service is up' }),
    ApiServiceUnavailableResponse({ type: HealthReportResponse, description: 'a checked service is down' }),
  );
