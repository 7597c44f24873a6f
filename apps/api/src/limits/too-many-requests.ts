import { HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { retryAfterSeconds } from './window-record.js';

/**
 * 429 with `Retry-After` (seconds) and Nest's error body
 * `{ statusCode: 429, error: 'Too Many Requests', message }`, the message naming the limit.
 */
export function tooManyRequests(response: Response, message: string, retryAfterMs: number): HttpException {
  response.setHeader('Retry-After', String(retryAfterSeconds(retryAfterMs)));
  return new HttpException(
    HttpException.createBody(message, 'Too Many Requests', HttpStatus.TOO_MANY_REQUESTS),
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
