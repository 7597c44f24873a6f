import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestQueryDto, SessionParamsDto } from '#contracts/dto';
import { Requires } from '../identity/access.decorators.js';
import { NDJSON_TYPE } from '../input/json-body.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import { IngestAnswerResponse } from '../openapi/ingest.responses.js';
import { IngestService, type IngestAnswer, type IngestBody } from './ingest.service.js';
import { ndjsonText } from './ndjson-text.js';

/** Longer keys are no request id: a UUID is 36 characters. */
const MAX_IDEMPOTENCY_KEY_CHARS = 200;

@ApiTags('builds')
@ApiBearerAuth()
@Controller('projects/:projectId/builds')
@ApiErrors(...GUARDED_ERRORS, 404)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post(':sessionId/events')
  @Requires('builds:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Append events to an external build',
    description:
      'JSON `{ "events": [ { "type", "data" } ] }`, or an application/x-ndjson transcript with `?format=`. ' +
      'With Idempotency-Key, a retried batch is appended once and answered as the first time. ' +
      '409 when the build has finished or is not external.',
  })
  @ApiOkResponse({ type: IngestAnswerResponse })
  @ApiErrors(
    ...BODY_ERRORS,
    [409, 'the build has finished, or is not external'],
    [422, 'Idempotency-Key was used before with another body'],
  )
  append(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @Query() { format }: IngestQueryDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request,
    @Body() body: unknown,
  ): Promise<IngestAnswer> {
    return this.ingest.append(
      projectId,
      sessionId,
      ingestBody(request, body, format),
      checkedKey(idempotencyKey),
    );
  }
}

function ingestBody(request: Request, body: unknown, format: IngestQueryDto['format']): IngestBody {
  if (request.is(NDJSON_TYPE)) {
    if (format === undefined)
      throw new BadRequestException([`format is required with an ${NDJSON_TYPE} body`]);
    const text = ndjsonText(body);
    if (text === undefined) {
      throw new BadRequestException([
        `body: the ${NDJSON_TYPE} body reached Buildcast parsed as something other than text; ` +
          `mount Buildcast's routes before a body parser that reads ${NDJSON_TYPE}, or parse it as text or raw bytes`,
      ]);
    }
    return { kind: 'transcript', text, format };
  }
  if (format !== undefined) throw new BadRequestException([`format is only for an ${NDJSON_TYPE} body`]);
  return { kind: 'json', body };
}

function checkedKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_CHARS) {
    throw new BadRequestException([`Idempotency-Key must have 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`]);
  }
  return key;
}
