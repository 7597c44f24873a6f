/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser.
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import type { Transport } from '#config';
import type { Snapshot } from '#contracts';
import { startDemoBuild } from './builds.js';
import { freePort, spawnGateway, type GatewayProcess } from './gateway.js';
import { startStack, request, TEST_ADMIN_KEY, type TestStack } from './stack.js';

/** Debian's Chromium (`apt-get install -y chromium`); playwright cannot download one here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/**
 * The whole app as `npm start` serves it: the API (with the built web app at / and /ws
 * forwarded) and a runner-worker in this process, the gateway in a child process so a test
 * can stop and start it on the same port.
 */
export class WebStack {
  gateway: GatewayProcess | undefined;

  private constructor(
    readonly stack: TestStack,
    private readonly gatewayPort: number,
  ) {}

  /** `env` adds to the stack's configuration (TOKEN_TTL_SECONDS, say); `transport` as startStack's. */
  static async start(env: Record<string, string> = {}, transport?: Transport): Promise<WebStack> {
    const gatewayPort = await freePort();
    const stack = await startStack({
      transport,
      workers: 1,
      env: { GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`, ...env },
    });
    const web = new WebStack(stack, gatewayPort);
    try {
      await web.startGateway();
    } catch (error) {
      // A suite whose beforeAll fails never reaches afterAll: close what started, or jest
      // waits on the stack's open handles for ever.
      await stack.close();
      throw error;
    }
    return web;
  }

  /** http://127.0.0.1:PORT, where the browser finds pages, /api and /ws. */
  get appUrl(): string {
    return this.stack.apiUrl.replace(/\/api$/, '');
  }

  async startGateway(): Promise<void> {
    this.gateway = await spawnGateway(this.stack.childEnv(), this.gatewayPort);
  }

  /** A normal stop (SIGTERM: sockets are closed with 1012). */
  async stopGateway(): Promise<void> {
    const gateway = this.gateway;
    this.gateway = undefined;
    if (!gateway || gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  }

  async createProject(name: string): Promise<string> {
    const { status, body } = await request<{ id: string }>(`${this.stack.apiUrl}/projects`, {
      body: { name },
    });
    if (status !== 201) throw new Error(`POST /projects answered ${status}`);
    return body.id;
  }

  /** A new project with a demo build in it; `eventIntervalMs` paces it (default: about 25 s). */
  startDemo(name: string, eventIntervalMs?: number): Promise<{ projectId: string; sessionId: string }> {
    return startDemoBuild(this.stack.apiUrl, name, eventIntervalMs);
  }

  async snapshot(projectId: string, sessionId: string): Promise<Snapshot> {
    const { status, body } = await request<Snapshot>(
      `${this.stack.apiUrl}/projects/${projectId}/builds/${sessionId}`,
    );
    if (status !== 200) throw new Error(`GET snapshot answered ${status}`);
    return body;
  }

  async close(): Promise<void> {
    await this.stopGateway();
    await this.stack.close();
  }
}

/**
 * Signs the page's browser context in (the cookie is the context's) through the sign-in
 * link, as a person following the first-start link would; waits for the projects page.
 */
export async function signIn(page: Page, key = TEST_ADMIN_KEY): Promise<void> {
  await page.goto(`/sign-in#key=${encodeURIComponent(key)}`);
  await page.waitForURL((url) => url.pathname === '/' && url.hash === '');
  await page.getByTestId('key-name').waitFor();
}

/**
 * A describe block's Chromium and web stack (`WebStack.start(env, transport)`), started
 * together in beforeAll and closed in afterAll. After each test the contexts it opened are
 * closed, a gateway it stopped is started again, and an uncaught error on any of its pages
 * fails it. Call at the top of the describe block; `web` and `browser` are there from beforeAll.
 */
export function browserSuite(
  options: { env?: Record<string, string>; transport?: Transport } = {},
): BrowserSuite {
  const suite = new BrowserSuite();
  beforeAll(() => suite.start(options.env, options.transport));
  afterEach(() => suite.afterEach());
  afterAll(() => suite.close());
  return suite;
}

export class BrowserSuite {
  private started: { web: WebStack; browser: Browser } | undefined;
  private readonly contexts: BrowserContext[] = [];
  private readonly pageErrors: string[] = [];

  get web(): WebStack {
    return this.ready().web;
  }

  get browser(): Browser {
    return this.ready().browser;
  }

  /** A context of its own (tabs, cookie, storage, network switch) with the app as base URL; closed after the test. */
  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({ baseURL: this.web.appUrl, ...options });
    this.contexts.push(context);
    return context;
  }

  /** A page in `context` whose uncaught errors fail the test. */
  async newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    return page;
  }

  /** A page in a new context: no cookie yet. */
  async freshPage(options?: BrowserContextOptions): Promise<Page> {
    return this.newPage(await this.newContext(options));
  }

  /** A page in a new context, signed in (signIn): on the projects page. */
  async signedInPage(options?: BrowserContextOptions): Promise<Page> {
    const page = await this.freshPage(options);
    await signIn(page);
    return page;
  }

  /** Signs `context` in through a page of its own, closed after, so its next pages start signed in. */
  async signIn(context: BrowserContext): Promise<void> {
    const signingIn = await this.newPage(context);
    await signIn(signingIn);
    await signingIn.close();
  }

  // browserSuite's hooks.

  async start(env: Record<string, string> = {}, transport?: Transport): Promise<void> {
    const [web, browser] = await Promise.allSettled([WebStack.start(env, transport), launchBrowser()]);
    if (web.status === 'fulfilled' && browser.status === 'fulfilled') {
      this.started = { web: web.value, browser: browser.value };
      return;
    }
    // Close the one that started (as WebStack.start does), then fail with the other's reason.
    if (web.status === 'fulfilled') await web.value.close();
    if (browser.status === 'fulfilled') await browser.value.close();
    throw web.status === 'rejected' ? web.reason : (browser as PromiseRejectedResult).reason;
  }

  async afterEach(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close();
    if (this.started && !this.started.web.gateway) await this.started.web.startGateway();
    expect(this.pageErrors.splice(0)).toEqual([]);
  }

  async close(): Promise<void> {
    await this.started?.browser.close();
    await this.started?.web.close();
  }

  private ready(): { web: WebStack; browser: Browser } {
    if (!this.started) throw new Error('browserSuite: the web stack and Chromium start in beforeAll');
    return this.started;
  }
}

/** What the build page shows, read through its test hooks (CONTRACT.md). */
export interface ShownBuild {
  status: string;
  percent: number;
  agentId: string;
  model: string;
  todos: string[];
  toolCalls: { id: string; status: string }[];
  connection: string;
}

export function readBuildPage(page: Page): Promise<ShownBuild> {
  return page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? '';
    const all = (selector: string) => Array.from(document.querySelectorAll(selector));
    return {
      status: text('[data-testid=build-status]'),
      percent: Number(document.querySelector('[data-testid=progress]')?.getAttribute('aria-valuenow') ?? -1),
      agentId: text('[data-testid=agent-id]'),
      model: text('[data-testid=model]'),
      todos: all('[data-testid=todo]').map((todo) => todo.getAttribute('data-status') ?? ''),
      toolCalls: all('[data-testid=tool-call]').map((call) => ({
        id: call.getAttribute('data-tool-call-id') ?? '',
        status: call.getAttribute('data-status') ?? '',
      })),
      connection: document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') ?? '',
    };
  });
}

/** What the build page should show for a snapshot (tool calls in id order, as `sorted` gives). */
export function expectedPage(snapshot: Snapshot): Omit<ShownBuild, 'connection'> {
  return {
    status: snapshot.session.status,
    percent: snapshot.session.progress.percent,
    agentId: snapshot.session.agentId,
    model: snapshot.session.model ?? '—',
    todos: snapshot.todos.map((todo) => todo.status),
    toolCalls: sortById(snapshot.toolCalls.map((call) => ({ id: call.id, status: call.status }))),
  };
}

export function shownWithoutConnection(shown: ShownBuild): Omit<ShownBuild, 'connection'> {
  const { connection, ...rest } = shown;
  return { ...rest, toolCalls: sortById(rest.toolCalls) };
}

function sortById<T extends { id: string }>(calls: T[]): T[] {
  return [...calls].sort((a, b) => a.id.localeCompare(b.id));
}

/** Waits until the page shows the build finished, then that it shows exactly the REST snapshot, each tool call once. */
export async function expectFinishedPageEqual(
  web: WebStack,
  page: Page,
  projectId: string,
  sessionId: string,
  status = 'completed',
): Promise<ShownBuild> {
  await waitForFinish(page, status);
  const snapshot = await web.snapshot(projectId, sessionId);
  const shown = await readBuildPage(page);
  expect(new Set(shown.toolCalls.map((call) => call.id)).size).toBe(shown.toolCalls.length);
  expect(shownWithoutConnection(shown)).toEqual(expectedPage(snapshot));
  return shown;
}

/** Waits until the build page shows a finished build. */
export async function waitForFinish(page: Page, status = 'completed', timeout = 90_000): Promise<void> {
  await page.locator(`[data-testid=build-status]:text-is("${status}")`).waitFor({ timeout });
}

/** Waits until the page shows at least `percent` progress. */
export async function waitForProgress(page: Page, percent: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (min) =>
      Number(document.querySelector('[data-testid=progress]')?.getAttribute('aria-valuenow') ?? -1) >= min,
    percent,
    { timeout },
  );
}

export async function waitForConnection(page: Page, state: string, timeout = 30_000): Promise<void> {
  await page
    .locator(`[data-testid=connection-status][data-state="${state}"]`)
    .waitFor({ state: 'attached', timeout });
}
