import { gatewaySuite } from '../support/gateway.js';
import { SessionWriter, unapplied } from '../support/session-writer.js';
import type { TestClient } from '../support/ws-client.js';

const JOINERS = 20;

/**
 * Sockets behind their room are caught up from the room's frame history, not by each reading
 * Postgres: the metric counts the catch-up steps by source. Every socket still ends with every
 * seq once, in order, equal to the snapshot.
 */
describe('gateway room history: sockets behind their room share one read of the log', () => {
  // Buffers far bigger than the sessions: no socket is paused, so each catch-up is one pass.
  const suite = gatewaySuite({ GATEWAY_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024) });

  const catchUpReads = (source: 'history' | 'database') =>
    suite.metric('buildcast_gateway_catch_up_reads_total', { source });

  /** A socket subscribed with `since`, once it has every seq of the snapshot. */
  const watch = async (writer: SessionWriter, since: number | undefined, seq: number) => {
    const snapshot = (await writer.snapshot())!;
    const client = await suite.connect({ state: unapplied(snapshot), since: since ?? 0 });
    client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since });
    await client.until(() => client.cursor >= seq, 30_000, `seq ${seq}`);
    return client;
  };

  const expectWhole = async (client: TestClient, writer: SessionWriter) => {
    expect(client.violations).toEqual([]);
    expect(client.state).toEqual(await writer.snapshot());
  };

  it('catches up sockets that join with an older seq from the frames the room sent live', async () => {
    const writer = await SessionWriter.create(suite.stack.api, 'history live');
    // The room opens before the first event, and takes every event in live.
    const first = await watch(writer, 0, 0);
    let seq = 0;
    for (let i = 0; i < 6; i++) {
      seq = (await writer.append(SessionWriter.events(100, { start: i === 0, prefix: `l${i}` }))).toSeq;
    }
    await first.until(() => first.cursor === seq, 30_000, 'the live socket');

    const database = await catchUpReads('database');
    const history = await catchUpReads('history');
    const joiners = await Promise.all(
      Array.from({ length: JOINERS }, (_, i) => watch(writer, i % 2 === 0 ? 0 : 1 + 29 * i, seq)),
    );
    for (const client of [first, ...joiners.filter((_, i) => i % 2 === 0)]) await expectWhole(client, writer);
    for (const client of joiners) expect(client.violations).toEqual([]);
    expect(await catchUpReads('database')).toBe(database);
    expect(await catchUpReads('history')).toBeGreaterThanOrEqual(history + JOINERS);
  });

  it('reads what was committed before the room opened once, for every socket after the first', async () => {
    const writer = await SessionWriter.create(suite.stack.api, 'history older');
    let seq = 0;
    // Several catch-up pages (at most 1,000 events each), committed while nobody watches.
    for (let i = 0; i < 25; i++) {
      const events = SessionWriter.events(100, { start: i === 0, prefix: `o${i}` });
      seq = (await writer.append(events, { publish: false })).toSeq;
    }
    await writer.append([SessionWriter.finished], { publish: false });
    seq += 1;

    const before = await catchUpReads('database');
    const historyBefore = await catchUpReads('history');
    await expectWhole(await watch(writer, 0, seq), writer);
    const firstReads = (await catchUpReads('database')) - before;
    expect(firstReads).toBeGreaterThan(0);
    // Its last read reached the history, which then had nothing more for it: not counted.
    expect(await catchUpReads('history')).toBe(historyBefore);

    for (let i = 0; i < JOINERS; i++) await expectWhole(await watch(writer, 0, seq), writer);
    expect((await catchUpReads('database')) - before).toBe(firstReads);
    expect((await catchUpReads('history')) - historyBefore).toBe(JOINERS);
  });
});
