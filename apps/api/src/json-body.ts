import { HttpStatus } from '@nestjs/common';
import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

interface BodyParserError {
  type?: string;
  limit?: number;
  message: string;
}

/**
 * JSON bodies up to `limit` bytes. body-parser rejects oversized or unreadable bodies before
 * Nest sees the request; answer those in Nest's error shape ({ statusCode, error, message }).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = bodyParser.json({ limit });
  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (failure?: unknown) => {
      if (!failure) return next();
      const error = failure as BodyParserError;
      if (error.type === 'entity.too.large') {
        return reply(
          response,
          HttpStatus.PAYLOAD_TOO_LARGE,
          'Payload Too Large',
          `request body exceeds the limit of ${error.limit} bytes`,
        );
      }
      if (error.type === 'entity.parse.failed') {
        return reply(
          response,
          HttpStatus.BAD_REQUEST,
          'Bad Request',
          `request body is not valid JSON: ${error.message}`,
        );
      }
      next(failure);
    });
  };
}

function reply(response: Response, statusCode: number, error: string, message: string): void {
  response.status(statusCode).json({ statusCode, error, message });
}
