import { applyEvent } from '#contracts';
import { gatewaySuite } from '../support/gateway.js';
import { SessionWriter, unapplied } from '../support/session-writer.js';
import type { TestClient } from '../support/ws-client.js';

const LIMIT = 256 * 1024;
const SOCKETS = 3;
const SESSIONS = 3;

type Transport = { pause(): void; resume(): void };
const transportOf = (client: TestClient) => (client.socket as unknown as { _socket: Transport })._socket;

/**
 * Sockets that subscribe `since: 0` to sessions of megabytes and then never read: the
 * gateway queues at most its limit per socket (plus one event), whatever the sessions hold,
 * and each socket still gets every seq once it reads again.
 */
describe('gateway slow readers: catch-up is bounded by the buffer limit', () => {
  const suite = gatewaySuite({ GATEWAY_MAX_BUFFERED_BYTES: String(LIMIT) });
  const clients: TestClient[] = [];

  it('sockets × limit + one event at most while they do not read; every seq, gap-free, after', async () => {
    // Each session: about 2,000 events, half of them 8 KiB tool outputs (about 8 MiB).
    const writers: SessionWriter[] = [];
    let largestEvent = 0;
    for (let s = 0; s < SESSIONS; s++) {
      const writer = await SessionWriter.create(suite.stack.api, `slow ${s}`);
      for (let i = 0; i < 10; i++) {
        const events = SessionWriter.events(200, { start: i === 0, prefix: `s${s}b${i}`, outputBytes: 8192 });
        for (const event of events)
          largestEvent = Math.max(largestEvent, Buffer.byteLength(JSON.stringify(event)));
        await writer.append(events, { publish: false });
      }
      await writer.append([SessionWriter.finished], { publish: false });
      writers.push(writer);
    }
    const snapshots = await Promise.all(writers.map((writer) => writer.snapshot()));

    for (let c = 0; c < SOCKETS; c++) {
      const client = await suite.connect();
      clients.push(client);
      transportOf(client).pause();
      for (const writer of writers) {
        client.send({
          type: 'subscribe',
          projectId: writer.projectId,
          sessionId: writer.sessionId,
          since: 0,
        });
      }
    }

    // Every socket gets paused in every room (its buffer is full); what is queued for
    // sockets that never read only grows, so the last samples are the peak.
    const deadline = Date.now() + 30_000;
    while ((await suite.metric('buildcast_gateway_slow_sockets_total')) < SOCKETS * SESSIONS) {
      if (Date.now() > deadline) throw new Error('the sockets were never paused');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      peak = Math.max(peak, await suite.metric('buildcast_gateway_buffered_bytes'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // One frame's envelope (ids, seqs) on top of an event.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(SOCKETS * LIMIT + largestEvent + 512);

    for (const client of clients) transportOf(client).resume();
    // Each socket folds every session it watches, checking that each batch continues it.
    for (const client of clients) {
      const states = new Map(writers.map((writer, s) => [writer.sessionId, unapplied(snapshots[s]!)]));
      const gaps: string[] = [];
      let read = 0;
      await client.until(
        () => {
          for (const message of client.messages.slice(read)) {
            if (message.type !== 'events') continue;
            let state = states.get(message.sessionId)!;
            if (message.fromSeq !== state.seq + 1) gaps.push(`${message.fromSeq} after ${state.seq}`);
            for (const event of message.events) state = applyEvent(state, event);
            states.set(message.sessionId, { ...state, seq: message.toSeq });
          }
          read = client.messages.length;
          return snapshots.every((snapshot) => states.get(snapshot!.session.id)!.seq === snapshot!.seq);
        },
        60_000,
        'every seq of every session',
      );
      expect(gaps).toEqual([]);
      expect(snapshots.map((snapshot) => states.get(snapshot!.session.id))).toEqual(snapshots);
    }
  });
});
