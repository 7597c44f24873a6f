import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEvent, emptySnapshot } from '#contracts';
import type { BuildEventType, EventDataByType, NewBuildEvent, Snapshot, TranscriptFormat } from '#contracts';
import { createParser, type ParserContext, type TranscriptParser } from '../transcript-parser.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const FIXTURES_DIR = path.resolve(repoRoot, 'test/fixtures/transcripts');

export const CONTEXT: ParserContext = {
  agentId: 'test-agent',
  projectName: 'test-project',
  prompt: 'Do the thing',
  model: 'context-model',
};

/** Feeds every line, then `end()`; returns all events in order. */
export function parseAll(
  format: TranscriptFormat,
  lines: string | string[],
  context: ParserContext = CONTEXT,
): { events: NewBuildEvent[]; parser: TranscriptParser } {
  const parser = createParser(format, context);
  const list = typeof lines === 'string' ? lines.split('\n') : lines;
  const events = list.flatMap((line) => parser.parseLine(line));
  events.push(...parser.end());
  return { events, parser };
}

/** JSON lines from objects, for hand-built transcripts. */
export function jsonl(...objects: unknown[]): string[] {
  return objects.map((object) => (typeof object === 'string' ? object : JSON.stringify(object)));
}

/** Applies the events in order with seq 1..N, as the store would. */
export function fold(events: NewBuildEvent[]): Snapshot {
  const initial = emptySnapshot({
    id: 's1',
    projectId: 'p1',
    status: 'queued',
    agent: 'replay',
    agentId: '',
    model: null,
    projectName: '',
    prompt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    error: null,
    usage: null,
  });
  return events.reduce(
    (state, event, i) => applyEvent(state, { ...event, seq: i + 1, at: '2026-01-01T00:00:01.000Z' }),
    initial,
  );
}

export function ofType<T extends BuildEventType>(events: NewBuildEvent[], type: T): EventDataByType[T][] {
  return events.filter((event) => event.type === type).map((event) => event.data as EventDataByType[T]);
}

/** The invariants every parse must keep: one start first, one finish last, unique call ids. */
export function expectWellFormed(events: NewBuildEvent[]): void {
  expect(events[0]?.type).toBe('session.started');
  expect(events.filter((event) => event.type === 'session.started')).toHaveLength(1);
  expect(events[events.length - 1]?.type).toBe('session.finished');
  expect(events.filter((event) => event.type === 'session.finished')).toHaveLength(1);
  const ids = ofType(events, 'tool.started').map((data) => data.toolCallId);
  expect(new Set(ids).size).toBe(ids.length);
}
