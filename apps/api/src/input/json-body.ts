import { STATUS_CODES } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '#contracts';

/** The http-errors that body-parser passes on: a status and a `type` such as 'entity.too.large'. */
interface BodyParserError {
  status?: number;
  type?: string;
  limit?: number;
  message: string;
}

/** Thrown from body-parser's `verify`, which runs on the raw bytes before JSON.parse. */
class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refuses what must not reach JSON.parse, class-transformer or class-validator: nesting deeper
 * than MAX_JSON_DEPTH (they recurse per level; millions of levels took minutes and a 500), and
 * charsets other than UTF-8 (RFC 8259 §8.1), whose brackets could not be counted on the bytes.
 */
function verifyJson(_request: Request, _response: Response, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8') {
    throw new BodyRefused(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'charset.unsupported',
      `unsupported charset "${encoding}": JSON bodies must be UTF-8`,
    );
  }
  // In UTF-8 every byte of a multi-byte character is ≥ 0x80, so latin1 keeps the ASCII
  // brackets and quotes where they are without decoding.
  if (jsonDepthExceeds(body.toString('latin1'), MAX_JSON_DEPTH)) {
    throw new BodyRefused(
      HttpStatus.BAD_REQUEST,
      'entity.too.deep',
      `request body nests deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`,
    );
  }
}

/**
 * Every body Buildcast's routes take, up to `limit` bytes each: JSON, and NDJSON transcripts
 * (`POST …/events?format=`). The one list for both the standalone API (app-wide) and the
 * mounted module (its own routes), so that neither parses what the other does not.
 */
export function bodyParsers(limit: number): RequestHandler[] {
  return [jsonBody(limit), ndjsonBody(limit)];
}

/**
 * JSON bodies up to `limit` bytes and MAX_JSON_DEPTH levels. body-parser refuses oversized,
 * too deep or unreadable bodies before Nest sees the request; answer every such refusal in
 * Nest's error shape ({ statusCode, error, message }) with body-parser's 4xx status.
 */
function jsonBody(limit: number): RequestHandler {
  return refusalsAnswered(bodyParser.json({ limit, verify: verifyJson }));
}

function refusalsAnswered(parse: RequestHandler): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (failure?: unknown) => {
      if (!failure) return next();
      const error = failure as BodyParserError;
      const status = error.status ?? HttpStatus.INTERNAL_SERVER_ERROR;
      if (status >= 500) return next(failure);
      reply(response, status, bodyParserMessage(error));
    });
  };
}

/** The media type of transcript bodies (`POST …/events?format=`). */
export const NDJSON_TYPE = 'application/x-ndjson';

/** NDJSON transcripts (external runners) as text, up to `limit` bytes; refusals as for JSON. */
function ndjsonBody(limit: number): RequestHandler {
  return refusalsAnswered(bodyParser.text({ type: NDJSON_TYPE, limit }));
}

function bodyParserMessage(error: BodyParserError): string {
  switch (error.type) {
    case 'entity.too.large':
      return `request body exceeds the limit of ${error.limit} bytes`;
    case 'entity.parse.failed':
      return `request body is not valid JSON: ${error.message}`;
    default:
      return error.message;
  }
}

/** A 4xx in Nest's error shape, for requests refused before Nest's exception filter sees them. */
export function reply(response: Response, statusCode: number, message: string): void {
  response.status(statusCode).json({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
}
