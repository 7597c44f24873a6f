import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { INestApplication, LogLevel } from '@nestjs/common';
import type { AppConfig } from '#config';
import { createGateway } from '../../apps/realtime-gateway/src/create-gateway.js';
import { GatewayMetrics } from '../../apps/realtime-gateway/src/metrics/gateway-metrics.js';
import { TEST_ADMIN_KEY } from './credentials.js';
import { scrapeMetric } from './metrics.js';
import { freePort } from './ports.js';
import { startStack, type TestStack } from './stack.js';
import { TestClient } from './ws-client.js';

export { freePort };

const QUIET: LogLevel[] = ['error', 'warn'];

export interface TestGateway {
  app: INestApplication;
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  httpUrl: string;
  /** http://127.0.0.1:METRICS_PORT/metrics (test stacks set METRICS_PORT=0: a free port). */
  metricsUrl: string;
  close(): Promise<void>;
}

/**
 * A gateway in this process, on `port` (default: a free one). Its config comes from a test
 * stack (startStack), so it accepts TEST_ADMIN_KEY, the stack's keys, tokens and sign-ins.
 */
export async function startGateway(config: AppConfig, listenOn = 0): Promise<TestGateway> {
  if (config.identity.adminKey !== TEST_ADMIN_KEY) {
    throw new Error("startGateway: use a test stack's config (BUILDCAST_ADMIN_KEY=TEST_ADMIN_KEY)");
  }
  const app = await createGateway(config, QUIET);
  await app.listen(listenOn, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://${config.metricsBindAddress}:${app.get(GatewayMetrics).endpoint.port}/metrics`,
    close: () => app.close(),
  };
}

export interface GatewayProcess {
  child: ChildProcess;
  wsUrl: string;
  httpUrl: string;
  /** Where this process serves /metrics (the port it logged; METRICS_PORT=0 unless `env` says). */
  metricsUrl: string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  output(): string;
  /** Kills the process (SIGKILL) unless it has exited, and waits for it. */
  stop(): Promise<void>;
}

const GATEWAY_MAIN = path.resolve('dist/apps/realtime-gateway/src/main.js');

/**
 * The built gateway in a child process (for SIGKILL and SIGTERM), on `port`, with
 * BUILDCAST_ADMIN_KEY=TEST_ADMIN_KEY unless `env` says otherwise (pass a stack's `childEnv()`).
 * `npm test` builds first; when running one test file by hand, run `npm run build` before it.
 */
export async function spawnGateway(env: Record<string, string>, port: number): Promise<GatewayProcess> {
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    env: {
      ...process.env,
      METRICS_PORT: '0',
      BUILDCAST_ADMIN_KEY: TEST_ADMIN_KEY,
      ...env,
      GATEWAY_PORT: String(port),
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const httpUrl = `http://127.0.0.1:${port}`;
  // Generous: on a busy machine loading the modules alone has taken 20 s.
  const deadline = Date.now() + 60_000;
  let metricsUrl: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${output}`);
    const ok = await fetch(`${httpUrl}/health`).then(
      (response) => response.ok,
      () => false,
    );
    // The gateway logs its metrics address before it listens on GATEWAY_PORT.
    metricsUrl ??= METRICS_LOG_LINE.exec(output)?.[1];
    if (ok && metricsUrl) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not become healthy in 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    child,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl,
    metricsUrl,
    exited,
    output: () => output,
    stop,
  };
}

/**
 * A describe block's test stack (startStack) and one gateway process on it (spawnGateway, with
 * `env` on top of the stack's childEnv), started in beforeAll. In afterAll the clients the
 * tests opened with `connect` are closed, then the gateway and the stack. Call at the top of
 * the describe block; `stack` and `gateway` are there from beforeAll.
 */
export function gatewaySuite(env: Record<string, string> = {}): GatewaySuite {
  const suite = new GatewaySuite();
  beforeAll(() => suite.start(env));
  afterAll(() => suite.close());
  return suite;
}

export class GatewaySuite {
  private started: { stack: TestStack; gateway: GatewayProcess } | undefined;
  private readonly clients: TestClient[] = [];

  get stack(): TestStack {
    return this.ready().stack;
  }

  get gateway(): GatewayProcess {
    return this.ready().gateway;
  }

  /** A client of the gateway's /ws (options as TestClient.connect's), closed in afterAll. */
  async connect(options?: Parameters<typeof TestClient.connect>[1]): Promise<TestClient> {
    const client = await TestClient.connect(this.gateway.wsUrl, options);
    this.clients.push(client);
    return client;
  }

  /** One metric of the gateway's /metrics: the sum of its series with `labels` (scrapeMetric). */
  metric(name: string, labels?: Record<string, string>): Promise<number> {
    return scrapeMetric(this.gateway.metricsUrl, name, labels);
  }

  // gatewaySuite's hooks.

  async start(env: Record<string, string>): Promise<void> {
    const stack = await startStack();
    try {
      this.started = { stack, gateway: await spawnGateway(stack.childEnv(env), await freePort()) };
    } catch (error) {
      // Nothing else would close the stack, and jest would wait on its open handles.
      await stack.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    try {
      await this.started?.gateway.stop();
    } finally {
      await this.started?.stack.close();
    }
  }

  private ready(): { stack: TestStack; gateway: GatewayProcess } {
    if (!this.started) throw new Error('gatewaySuite: the stack and the gateway start in beforeAll');
    return this.started;
  }
}

/** MetricsEndpoint's start-up line (libs/metrics), e.g. `Prometheus metrics on http://127.0.0.1:41234/metrics`. */
const METRICS_LOG_LINE = /Prometheus metrics on (http:\/\/[^\s/]+\/metrics)/;
