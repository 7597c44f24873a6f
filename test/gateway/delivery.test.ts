import { Redis } from 'ioredis';
import { sessionChannel } from '#contracts';
import { GatewayMetrics } from '../../apps/realtime-gateway/src/metrics/gateway-metrics.js';
import type { Snapshot } from '#contracts';
import { eventually, startDemoBuild } from '../support/builds.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { SessionWriter, unapplied } from '../support/session-writer.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { dropSubscriberConnection, TRANSPORTS } from '../support/transports.js';
import { TestClient } from '../support/ws-client.js';

describe.each(TRANSPORTS)(
  'gateway delivery over %s: every committed event to every watcher, in order, once',
  (transport) => {
    let stack: TestStack;
    let gateway: TestGateway;
    const clients: TestClient[] = [];

    beforeAll(async () => {
      stack = await startStack({ transport, workers: 1, env: { GATEWAY_AUDIT_MS: '60000' } });
      gateway = await startGateway(stack.config);
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    afterAll(async () => {
      await gateway?.close();
      await stack?.close();
    });

    /** Events the gateway read from Postgres rather than took from Redis (all of them over Postgres). */
    const readFromDatabase = async (target: TestGateway = gateway): Promise<number> => {
      const metric = await target.app.get(GatewayMetrics).eventsIn.get();
      return metric.values.find((value) => value.labels.source === 'database')?.value ?? 0;
    };

    const snapshotOf = async (projectId: string, sessionId: string): Promise<Snapshot> =>
      (await request<Snapshot>(`${stack.apiUrl}/projects/${projectId}/builds/${sessionId}`)).body;

    const connect = async (query: string, options: { state?: Snapshot; since?: number } = {}) => {
      const client = await TestClient.connect(`${gateway.wsUrl}?${query}`, options);
      clients.push(client);
      return client;
    };

    it('50 clients during a paced demo build, and one that hydrates half-way, all end equal to the snapshot', async () => {
      const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, 'fan-out', 40);
      const base = unapplied(await snapshotOf(projectId, sessionId));

      const watchers = await Promise.all(
        Array.from({ length: 50 }, () =>
          connect(`projectId=${projectId}&sessionId=${sessionId}&since=0`, { state: base }),
        ),
      );
      await Promise.all(watchers.map((client) => client.next('subscribed')));

      // Half-way: REST snapshot first, then subscribe by message with its seq.
      const late = await connect('', {});
      await watchers[0].until(() => watchers[0].cursor >= 30, 30_000, 'seq 30');
      const hydrated = await snapshotOf(projectId, sessionId);
      late.state = hydrated;
      late.cursor = hydrated.seq;
      late.send({ type: 'subscribe', projectId, sessionId, since: hydrated.seq });

      const isDone = (client: TestClient) => client.state?.session.status === 'completed';
      for (const client of [...watchers, late])
        await client.until(() => isDone(client), 60_000, 'the build to finish');

      const final = await snapshotOf(projectId, sessionId);
      expect(final.session.status).toBe('completed');
      expect(final.session.progress.percent).toBe(100);
      for (const client of [...watchers, late]) {
        expect(client.violations).toEqual([]);
        expect(client.cursor).toBe(final.seq);
        expect(client.state).toEqual(final);
      }
      // Every watcher got seqs 1..N exactly once: batches are contiguous from 1 (checked by
      // `violations`) and end at N.
      const batches = watchers[0].messages.filter((message) => message.type === 'events');
      expect(batches[0]).toMatchObject({ fromSeq: 1 });
    });

    it('fills a dropped publish from Postgres (seq N+2 published without N+1)', async () => {
      const writer = await SessionWriter.create(stack.api);
      const first = await writer.append(SessionWriter.events(10, { start: true, prefix: 'a' }));
      const base = unapplied((await writer.snapshot())!);
      const client = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`, {
        state: base,
      });
      await client.until(() => client.cursor === first.toSeq, 10_000, 'the first events');

      const readBefore = await readFromDatabase();
      const lost = await writer.append(SessionWriter.events(5, { prefix: 'b' }), { publish: false });
      const after = await writer.append(SessionWriter.events(5, { prefix: 'c' }));
      expect(after.fromSeq).toBe(lost.toSeq + 1);
      await client.until(() => client.cursor === after.toSeq, 10_000, 'the gap to be filled');
      expect(client.violations).toEqual([]);
      expect(await readFromDatabase()).toBeGreaterThanOrEqual(readBefore + 5);
      expect(client.state).toEqual(await writer.snapshot());
    });

    it('catches up when the last publish is lost and nothing follows it (the audit)', async () => {
      // This gateway audits every minute; a second one audits every 200 ms.
      const auditing = await startGateway({
        ...stack.config,
        gateway: { ...stack.config.gateway, auditMs: 200 },
      });
      try {
        const writer = await SessionWriter.create(stack.api);
        await writer.append(SessionWriter.events(5, { start: true, prefix: 'a' }));
        const base = unapplied((await writer.snapshot())!);
        const client = await TestClient.connect(
          `${auditing.wsUrl}?projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`,
          { state: base },
        );
        clients.push(client);
        await client.until(() => client.cursor === 5);
        const last = await writer.append([SessionWriter.finished], { publish: false });
        await client.until(() => client.cursor === last.toSeq, 10_000, 'the audit to find session.finished');
        expect(client.state).toEqual(await writer.snapshot());
      } finally {
        await auditing.close();
      }
    });

    it('catches every room up from Postgres after its subscriber connection drops', async () => {
      const writer = await SessionWriter.create(stack.api);
      await writer.append(SessionWriter.events(5, { start: true, prefix: 'a' }));
      const base = unapplied((await writer.snapshot())!);
      const client = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`, {
        state: base,
      });
      await client.until(() => client.cursor === 5);

      // Simulate a blip for the gateway: its subscriber drops and reconnects; what is
      // published meanwhile never reaches it, and no later publish reveals the gap.
      const readBefore = await readFromDatabase();
      await dropSubscriberConnection(gateway.app, transport);
      const missed = await writer.append([
        ...SessionWriter.events(5, { prefix: 'b' }),
        SessionWriter.finished,
      ]);
      await client.until(() => client.cursor === missed.toSeq, 15_000, 'the catch-up after the reconnect');
      expect(client.violations).toEqual([]);
      expect(await readFromDatabase()).toBeGreaterThanOrEqual(readBefore + 6);
      expect(client.state).toEqual(await writer.snapshot());
    });

    // Over Postgres there is one LISTEN per process, whatever the rooms.
    const redisOnly = transport === 'redis' ? it : it.skip;
    redisOnly(
      'SUBSCRIBEs a session channel when the first socket joins and UNSUBSCRIBEs when the last leaves',
      async () => {
        const writer = await SessionWriter.create(stack.api);
        await writer.append(SessionWriter.events(2, { start: true }));
        const channel = sessionChannel(writer.projectId, writer.sessionId);
        const redis = new Redis(stack.config.redisUrl);
        try {
          const subscribers = async () => Number((await redis.pubsub('NUMSUB', channel))[1]);
          expect(await subscribers()).toBe(0);
          const query = `projectId=${writer.projectId}&sessionId=${writer.sessionId}`;
          const one = await connect(query);
          const two = await connect(query);
          await Promise.all([one.next('subscribed'), two.next('subscribed')]);
          expect(await subscribers()).toBe(1); // one connection per gateway, however many sockets
          one.close();
          await one.waitForClose();
          expect(await subscribers()).toBe(1);
          two.close();
          await eventually(
            async () => ((await subscribers()) === 0 ? true : undefined),
            'the gateway to UNSUBSCRIBE once the last socket left',
          );
        } finally {
          redis.disconnect();
        }
      },
    );

    it('two gateway instances serve their own clients and both converge', async () => {
      const second = await startGateway(stack.config);
      try {
        const writer = await SessionWriter.create(stack.api);
        await writer.append(SessionWriter.events(1, { start: true }));
        const base = unapplied((await writer.snapshot())!);
        const query = `projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`;
        const one = await connect(query, { state: base });
        const two = await TestClient.connect(`${second.wsUrl}?${query}`, { state: base });
        clients.push(two);
        await Promise.all([one.next('subscribed'), two.next('subscribed')]);
        for (let i = 0; i < 20; i++) await writer.append(SessionWriter.events(10, { prefix: `p${i}` }));
        const last = await writer.append([SessionWriter.finished]);
        const final = await writer.snapshot();
        for (const client of [one, two]) {
          await client.until(() => client.cursor === last.toSeq, 15_000, 'the last seq');
          expect(client.violations).toEqual([]);
          expect(client.state).toEqual(final);
        }
      } finally {
        await second.close();
      }
    });
  },
);
