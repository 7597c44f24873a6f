import { createHash } from 'node:crypto';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { BUILD_EVENT_TYPES, type NewBuildEvent, type TranscriptFormat } from '#contracts';
import {
  BuildcastNdjsonParser,
  createParser,
  isObject,
  MalformedLineError,
  type ParserContext,
  type TranscriptParser,
} from '#transcripts';
import { countLines } from '../builds/transcript-lines.js';

/**
 * Events from a JSON body `{ "events": [ { "type", "data" }, … ] }`, checked as the
 * buildcast-ndjson parser checks its lines but answered with a 400 naming the first wrong
 * field. A `session.started` comes first when the batch has none (EventStore drops it when
 * the session already has events); a `session.finished` ends the batch and the session.
 */
export function eventsFromJson(body: unknown, context: ParserContext): NewBuildEvent[] {
  if (!isObject(body) || !Array.isArray(body.events)) {
    throw new BadRequestException(['events must be an array of { type, data }']);
  }
  const parser = new BuildcastNdjsonParser(context);
  const events: NewBuildEvent[] = [];
  for (const [index, event] of body.events.entries()) {
    const field = `events[${index}]`;
    if (!isObject(event)) throw new BadRequestException([`${field} must be an object { type, data }`]);
    if (!(BUILD_EVENT_TYPES as readonly unknown[]).includes(event.type)) {
      throw new BadRequestException([`${field}.type must be one of ${BUILD_EVENT_TYPES.join(', ')}`]);
    }
    if (!isObject(event.data)) throw new BadRequestException([`${field}.data must be an object`]);
    try {
      events.push(...parser.parseValue(event as typeof event & { type: string }));
    } catch (error) {
      if (!(error instanceof MalformedLineError)) throw error;
      throw new BadRequestException([`${field}.data: ${error.message}`]);
    }
    if (event.type === 'session.finished') break; // nothing may follow it
  }
  return withEnding(parser, events);
}

/**
 * Events from an NDJSON body in a transcript format, parsed on its own (one request shares no
 * parser state with the previous one). Lines that are not events of the format are skipped
 * and counted, as in a replay; a body holding the run's ending (a result line) ends the session.
 */
export function eventsFromTranscript(
  text: string,
  format: TranscriptFormat,
  context: ParserContext,
  maxLines: number,
): NewBuildEvent[] {
  const lines = countLines(text);
  if (lines > maxLines) {
    throw new PayloadTooLargeException([
      `body: ${lines} lines, more than TRANSCRIPT_MAX_LINES (${maxLines})`,
    ]);
  }
  const parser = createParser(format, context);
  const events = text.split('\n').flatMap((line) => parser.parseLine(line));
  return withEnding(parser, events);
}

/** What makes two requests with one Idempotency-Key the same: the format and the body. */
export function ingestBodyHash(format: string, body: string): string {
  return createHash('sha256').update(`${format}\n${body}`).digest('base64url');
}

function withEnding(parser: TranscriptParser, events: NewBuildEvent[]): NewBuildEvent[] {
  return parser.outcomeKnown ? [...events, ...parser.end()] : events;
}
