import { CloseCode } from '#contracts';
import { freePort, spawnGateway, type GatewayProcess } from '../support/gateway.js';
import { SessionWriter, unapplied } from '../support/session-writer.js';
import { startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { TestClient } from '../support/ws-client.js';

/** A gateway in its own process, so it can be killed, stopped and measured. */
describe.each(TRANSPORTS)('gateway process over %s: SIGKILL, SIGTERM, slow sockets', (transport) => {
  let stack: TestStack;
  const gateways: GatewayProcess[] = [];
  const clients: TestClient[] = [];

  const spawn = async (port: number, extra?: Record<string, string>) => {
    const gateway = await spawnGateway(stack.childEnv(extra), port);
    gateways.push(gateway);
    // The child runs on this row's transport (stack.childEnv passes it; its start-up log says which).
    expect(gateway.output()).toContain(`(BUILDCAST_TRANSPORT=${transport})`);
    return gateway;
  };

  beforeAll(async () => {
    stack = await startStack({ transport });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const gateway of gateways.splice(0)) await gateway.stop();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves /metrics on its own loopback port only: the public port answers 404', async () => {
    const gateway = await spawn(await freePort());
    expect(new URL(gateway.metricsUrl).hostname).toBe('127.0.0.1');
    expect(new URL(gateway.metricsUrl).port).not.toBe(new URL(gateway.httpUrl).port);
    const scraped = await fetch(gateway.metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await scraped.text()).toMatch(/^buildcast_gateway_connections 0$/m);
    const publicMetrics = await fetch(`${gateway.httpUrl}/metrics`);
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain('buildcast_gateway');
    expect((await fetch(new URL('/health', gateway.metricsUrl))).status).toBe(404); // metrics only
  });

  it('SIGKILL mid-build, restart: clients reconnect with their cursor and end equal, nothing applied twice', async () => {
    const port = await freePort();
    let gateway = await spawn(port);
    const writer = await SessionWriter.create(stack.api);
    await writer.append(SessionWriter.events(1, { start: true }));
    const base = unapplied((await writer.snapshot())!);
    const query = `projectId=${writer.projectId}&sessionId=${writer.sessionId}`;
    const watchers = await Promise.all(
      Array.from({ length: 5 }, () =>
        TestClient.connect(`${gateway.wsUrl}?${query}&since=0`, { state: base }),
      ),
    );
    clients.push(...watchers);
    for (let i = 0; i < 10; i++) await writer.append(SessionWriter.events(10, { prefix: `before${i}` }));
    await Promise.all(watchers.map((client) => client.until(() => client.cursor >= 50)));

    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await Promise.all(watchers.map((client) => client.waitForClose()));
    // The build goes on while no gateway runs.
    for (let i = 0; i < 10; i++) await writer.append(SessionWriter.events(10, { prefix: `during${i}` }));
    gateway = await spawn(port);
    const reconnected = await Promise.all(
      watchers.map((old) =>
        TestClient.connect(`${gateway.wsUrl}?${query}&since=${old.cursor}`, { state: old.state }),
      ),
    );
    clients.push(...reconnected);
    for (let i = 0; i < 10; i++) await writer.append(SessionWriter.events(10, { prefix: `after${i}` }));
    const last = await writer.append([SessionWriter.finished]);
    const final = await writer.snapshot();
    for (const [index, client] of reconnected.entries()) {
      await client.until(() => client.cursor === last.toSeq, 15_000, 'the last seq');
      expect([...watchers[index].violations, ...client.violations]).toEqual([]);
      expect(client.state).toEqual(final);
    }
  });

  it('SIGTERM: every client gets 1012 and the process exits cleanly', async () => {
    const gateway = await spawn(await freePort());
    const writer = await SessionWriter.create(stack.api);
    await writer.append(SessionWriter.events(3, { start: true }));
    const watchers = await Promise.all(
      Array.from({ length: 3 }, () =>
        TestClient.connect(
          `${gateway.wsUrl}?projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`,
        ),
      ),
    );
    clients.push(...watchers);
    await Promise.all(watchers.map((client) => client.until(() => client.cursor === 3)));
    gateway.child.kill('SIGTERM');
    for (const client of watchers) {
      expect(await client.waitForClose()).toMatchObject({ code: CloseCode.serviceRestart });
    }
    // Nest closes the app, then re-raises the signal: a clean exit "by SIGTERM".
    expect([0, 'SIGTERM']).toContain(await gateway.exited);
  });

  it('a socket that stops reading for 10 s while 5,000 events flow: memory stays bounded, then it converges', async () => {
    const maxBuffered = 256 * 1024;
    const gateway = await spawn(await freePort(), { GATEWAY_MAX_BUFFERED_BYTES: String(maxBuffered) });
    const writer = await SessionWriter.create(stack.api);
    await writer.append(SessionWriter.events(1, { start: true }));
    const base = unapplied((await writer.snapshot())!);
    const url = `${gateway.wsUrl}?projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`;
    const reader = await TestClient.connect(url, { state: base });
    const stalled = await TestClient.connect(url, { state: base });
    clients.push(reader, stalled);
    await Promise.all([reader.next('subscribed'), stalled.next('subscribed')]);
    const transport = (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    transport.pause();
    const stalledAt = Date.now();

    const metric = async (name: string) => {
      const text = await (await fetch(gateway.metricsUrl)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
      return Number(line?.split(' ')[1] ?? NaN);
    };
    const rssBefore = await metric('buildcast_gateway_process_resident_memory_bytes');
    let peakBuffered = 0;
    let peakRss = rssBefore;
    const sample = async () => {
      peakBuffered = Math.max(peakBuffered, await metric('buildcast_gateway_buffered_bytes'));
      peakRss = Math.max(peakRss, await metric('buildcast_gateway_process_resident_memory_bytes'));
    };
    // 5,000 events with 4 KiB tool outputs: about 10 MiB the stalled socket cannot take.
    for (let i = 0; i < 50; i++) {
      await writer.append(SessionWriter.events(100, { prefix: `burst${i}`, outputBytes: 4096 }));
      if (i % 5 === 0) await sample();
    }
    const last = await writer.append([SessionWriter.finished]);
    await reader.until(() => reader.cursor === last.toSeq, 30_000, 'the reader to get everything');
    while (Date.now() - stalledAt < 10_000) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // What the gateway queues for a slow socket is bounded by GATEWAY_MAX_BUFFERED_BYTES
    // plus the last frame it accepted; the process does not grow with the backlog.
    expect(peakBuffered).toBeLessThan(maxBuffered + 2 * 1024 * 1024);
    expect(peakRss - rssBefore).toBeLessThan(96 * 1024 * 1024);
    expect(await metric('buildcast_gateway_slow_sockets_total')).toBeGreaterThanOrEqual(1);

    transport.resume();
    await stalled.until(() => stalled.cursor === last.toSeq, 30_000, 'the stalled socket to converge');
    const final = await writer.snapshot();
    for (const client of [reader, stalled]) {
      expect(client.violations).toEqual([]);
      expect(client.state).toEqual(final);
    }
  });
});
