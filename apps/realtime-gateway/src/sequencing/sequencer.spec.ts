import type { BuildEvent, CommittedEventsNotice } from '#contracts';
import { Sequencer, type SequencerStep } from './sequencer.js';

const at = '2026-11-23T10:00:00.000Z';
const event = (seq: number): BuildEvent => ({
  type: 'message',
  data: { role: 'assistant', text: `m${seq}` },
  seq,
  at,
});
const range = (fromSeq: number, toSeq: number): BuildEvent[] =>
  Array.from({ length: toSeq - fromSeq + 1 }, (_, i) => event(fromSeq + i));
/** A Redis message: the committed range with its events. */
const published = (fromSeq: number, toSeq: number): CommittedEventsNotice => ({
  projectId: 'p',
  sessionId: 's',
  fromSeq,
  toSeq,
  events: range(fromSeq, toSeq),
});
/** A Postgres NOTIFY: the committed range without its events. */
const notice = (fromSeq: number, toSeq: number): CommittedEventsNotice => ({
  projectId: 'p',
  sessionId: 's',
  fromSeq,
  toSeq,
});
/** The seqs handed on by `events` steps, and the other steps by kind. */
const seqs = (steps: SequencerStep[]): (number | string)[] =>
  steps.flatMap((step): (number | string)[] =>
    step.kind === 'events' ? step.events.map((e) => e.seq) : [step.kind],
  );

describe('Sequencer', () => {
  it('takes ranges that continue its position, once, and ignores ones it has', () => {
    const sequencer = new Sequencer();
    expect(sequencer.open(2)).toEqual([]);
    expect(seqs(sequencer.receive(published(3, 4)))).toEqual([3, 4]);
    expect(seqs(sequencer.receive(published(2, 4)))).toEqual([]);
    expect(seqs(sequencer.receive(published(4, 6)))).toEqual([5, 6]);
    expect(sequencer.lastSeq).toBe(6);
  });

  it('keeps what arrives before it opens and takes it in seq order, minus what the opening read covered', () => {
    const sequencer = new Sequencer();
    expect(sequencer.receive(published(5, 6))).toEqual([]);
    expect(sequencer.receive(published(3, 4))).toEqual([]);
    expect(sequencer.receive(published(1, 2))).toEqual([]);
    expect(seqs(sequencer.open(2))).toEqual([3, 4, 5, 6]);
    expect(sequencer.lastSeq).toBe(6);
  });

  it('asks for a read after a gap, keeps later ranges meanwhile, then takes what the read did not cover', () => {
    const sequencer = new Sequencer();
    sequencer.open(2);
    expect(seqs(sequencer.receive(published(5, 6)))).toEqual(['read']);
    expect(sequencer.isReading).toBe(true);
    expect(sequencer.receive(published(7, 8))).toEqual([]);
    expect(sequencer.readPage(range(3, 6)).map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect(seqs(sequencer.readEnded())).toEqual([7, 8]);
    expect(sequencer.isReading).toBe(false);
    expect(sequencer.lastSeq).toBe(8);
  });

  it('hands on only the seqs a read page adds', () => {
    const sequencer = new Sequencer();
    sequencer.open(4);
    expect(sequencer.beginRead()).toBe(true);
    expect(sequencer.readPage(range(3, 6)).map((e) => e.seq)).toEqual([5, 6]);
    expect(sequencer.readPage(range(5, 6))).toEqual([]);
    expect(sequencer.lastSeq).toBe(6);
  });

  it('reads Postgres for a notice without events (NOTIFY), and drops it only if a later read still did not reach it', () => {
    const sequencer = new Sequencer();
    sequencer.open(0);
    expect(seqs(sequencer.receive(notice(1, 3)))).toEqual(['read']);
    // The read began after the notice arrived, yet Postgres showed only seq 1 (it failed).
    sequencer.readPage(range(1, 1));
    expect(sequencer.readEnded()).toEqual([{ kind: 'unreadable', fromSeq: 2, toSeq: 3 }]);
    expect(sequencer.isReading).toBe(false);
    expect(sequencer.lastSeq).toBe(1);
  });

  it('reads again for a notice that arrived during a read (committed after the read began)', () => {
    const sequencer = new Sequencer();
    sequencer.open(0);
    expect(seqs(sequencer.receive(notice(1, 2)))).toEqual(['read']);
    expect(sequencer.receive(notice(3, 4))).toEqual([]);
    sequencer.readPage(range(1, 2));
    // Not dropped: the read that ended began before it arrived.
    expect(seqs(sequencer.readEnded())).toEqual(['read']);
    sequencer.readPage(range(3, 4));
    expect(sequencer.readEnded()).toEqual([]);
    expect(sequencer.lastSeq).toBe(4);
  });

  it('stops draining at a range that needs a read, and takes the rest after that read', () => {
    const sequencer = new Sequencer();
    sequencer.receive(published(1, 2));
    sequencer.receive(published(5, 6));
    sequencer.receive(published(7, 7));
    expect(seqs(sequencer.open(0))).toEqual([1, 2, 'read']);
    sequencer.readPage(range(3, 6));
    expect(seqs(sequencer.readEnded())).toEqual([7]);
  });

  it('begins a read only when open and not reading already', () => {
    const sequencer = new Sequencer();
    expect(sequencer.beginRead()).toBe(false);
    sequencer.open(0);
    expect(sequencer.beginRead()).toBe(true);
    expect(sequencer.beginRead()).toBe(false);
    expect(sequencer.readEnded()).toEqual([]);
    expect(sequencer.beginRead()).toBe(true);
  });

  it('keeps ranges published while a requested read runs, without a second read', () => {
    const sequencer = new Sequencer();
    sequencer.open(0);
    sequencer.beginRead();
    expect(sequencer.receive(notice(1, 1))).toEqual([]);
    expect(sequencer.receive(published(2, 2))).toEqual([]);
    sequencer.readPage(range(1, 2));
    expect(sequencer.readEnded()).toEqual([]);
    expect(sequencer.lastSeq).toBe(2);
  });
});
