import type { EventsPage } from '#contracts';
import { request, startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

/** A buildcast-ndjson transcript whose lines arrive `eventIntervalMs` apart. */
const transcript = [
  { type: 'session.started', data: { agentId: 'x', model: 'slow-model', projectName: 'x' } },
  { type: 'message', data: { role: 'assistant', text: 'thinking…' } },
  { type: 'session.finished', data: { status: 'completed' } },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe.each(TRANSPORTS)('long-polling the events endpoint over %s', (transport) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ transport, workers: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is woken by the commit of the next event, well before waitMs', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'long-poll' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    const started = await request(builds, {
      body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 1500 },
    });
    const events = `${builds}/${started.body.sessionId}/events`;

    const first = await request<EventsPage>(`${events}?after=0&waitMs=10000`);
    expect(first.body.events.map((event) => event.type)).toEqual(['session.started']);
    expect(first.body.events[0].data).toEqual(
      expect.objectContaining({ model: 'slow-model', agentId: 'replay' }),
    );

    const t0 = Date.now();
    const second = await request<EventsPage>(`${events}?after=${first.body.seq}&waitMs=10000`);
    const waited = Date.now() - t0;
    expect(second.body.events.map((event) => [event.seq, event.type])).toEqual([[2, 'message']]);
    // The message line comes ~1.5 s after the first; the poll must return then, not at 10 s.
    expect(waited).toBeGreaterThan(500);
    expect(waited).toBeLessThan(5000);
    expect(second.body.finished).toBe(false);

    const last = await request<EventsPage>(`${events}?after=${second.body.seq}&waitMs=10000`);
    expect(last.body.events.map((event) => event.type)).toEqual(['session.finished']);
    expect(last.body.finished).toBe(true);
  });

  it('times out with an empty page and the same cursor when nothing happens', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'idle' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    // A 30 s pause between lines: nothing follows session.started within the test.
    const started = await request(builds, {
      body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 30000 },
    });
    const events = `${builds}/${started.body.sessionId}/events`;
    const first = await request<EventsPage>(`${events}?after=0&waitMs=10000`);
    const t0 = Date.now();
    const idle = await request<EventsPage>(`${events}?after=${first.body.seq}&waitMs=700`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
    expect(idle.body).toEqual({
      events: [],
      seq: first.body.seq,
      latestSeq: first.body.seq,
      finished: false,
    });

    // Cancelling the running build: its worker stops the replay and records `cancelled`.
    const cancel = await request(`${builds}/${started.body.sessionId}/cancel`, { method: 'POST' });
    expect(cancel).toEqual({
      status: 202,
      body: { sessionId: started.body.sessionId, status: 'cancelling' },
    });
    const end = await request<EventsPage>(`${events}?after=${first.body.seq}&waitMs=10000`);
    expect(end.body.events.map((event) => [event.type, event.data])).toEqual([
      ['session.finished', { status: 'cancelled', error: 'Cancelled by request' }],
    ]);
  });
});
