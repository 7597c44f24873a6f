import type { BrowserContext, Page } from 'playwright-core';
import {
  browserSuite,
  expectFinishedPageEqual,
  readBuildPage,
  waitForConnection,
  waitForProgress,
} from '../support/browser.js';
import { TRANSPORTS } from '../support/transports.js';

/** Pause between demo steps for tests that need no long build: about 14 s in all. */
const QUICK_DEMO_MS = 200;

/**
 * The seeds' test plan in a real browser against the real stack: every test ends with the
 * page equal to the REST snapshot, with no tool call shown twice and no uncaught error.
 */
describe.each(TRANSPORTS)('web app in Chromium, over %s', (transport) => {
  const suite = browserSuite({ transport });

  /** A fresh browser context (its own tabs, storage and network switch), signed in. */
  async function newContext(clientOptions?: Record<string, number>): Promise<BrowserContext> {
    const context = await suite.newContext({ viewport: { width: 1100, height: 900 } });
    if (clientOptions)
      await context.addInitScript((options) => {
        (window as { buildcastClientOptions?: object }).buildcastClientOptions = options;
      }, clientOptions);
    await suite.signIn(context);
    return context;
  }

  /** A demo build in a new project (named `name`), open in a new context's page. */
  async function openDemo(name: string, eventIntervalMs: number, clientOptions?: Record<string, number>) {
    const { projectId, sessionId } = await suite.web.startDemo(`${name} ${Date.now()}`, eventIntervalMs);
    const context = await newContext(clientOptions);
    const page = await suite.newPage(context);
    await page.goto(`/projects/${projectId}/builds/${sessionId}`);
    return { projectId, sessionId, context, page };
  }

  const expectFinishedAndEqual = (page: Page, projectId: string, sessionId: string, status?: string) =>
    expectFinishedPageEqual(suite.web, page, projectId, sessionId, status);

  it('creates a project, starts a demo build and watches it reach exactly 100 % with every todo completed', async () => {
    const page = await suite.newPage(await newContext());
    await page.goto('/');
    await page.getByLabel('New project').fill(`web demo ${Date.now()}`);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
    await page.getByRole('button', { name: 'Start demo build' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]+\/builds\/[0-9a-f-]+$/);
    const [, projectId, sessionId] = /\/projects\/([^/]+)\/builds\/([^/]+)$/.exec(page.url())!;

    // Live while it runs: the pill is hidden and some todo is in progress at some point.
    await page.locator('[data-testid=todo][data-status=in_progress]').first().waitFor({ timeout: 30_000 });
    await waitForConnection(page, 'live');
    await expect(page.getByTestId('connection-status').isVisible()).resolves.toBe(false);
    if (process.env.SAVE_SCREENSHOT) {
      // `npm run screenshot` refreshes the README's picture of a build half-way.
      await waitForProgress(page, 55);
      await page.screenshot({ path: 'docs/build-page.png', fullPage: true, animations: 'disabled' });
    }

    const shown = await expectFinishedAndEqual(page, projectId, sessionId);
    expect(shown.percent).toBe(100);
    expect(shown.todos.length).toBeGreaterThan(0);
    expect(shown.todos.every((status) => status === 'completed')).toBe(true);
    expect(shown.agentId).toBe('demo');
    await expect(page.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('100');
    // The failed test run of the demo shows as an error mark; opening it shows its output.
    const failed = page.locator('[data-testid=tool-call][data-status=failed]');
    await expect(failed.count()).resolves.toBe(1);
    // Its todo is completed, so collapsed: open it, then the call.
    await page.locator('[data-testid=todo]', { has: failed }).locator('.todo-toggle').click();
    await failed.locator('.tool-call-line').click();
    await failed.locator('pre.output-error').waitFor();

    // The project page lists it, finished, with its agent and model.
    await page.locator('.breadcrumbs a').nth(1).click();
    const row = page.locator(`[data-testid=build-row][data-session-id="${sessionId}"]`);
    await row.waitFor();
    await expect(row.getAttribute('data-status')).resolves.toBe('completed');
    await expect(row.textContent()).resolves.toContain('buildcast-demo');
  });

  // How fast the state is back is a figure for a benchmark, not a test on a shared machine.
  it('reload at about half-way: state back, updates go on, nothing twice', async () => {
    const { projectId, sessionId, page } = await openDemo('reload', QUICK_DEMO_MS);
    await waitForProgress(page, 40);
    const before = await readBuildPage(page);
    expect(before.percent).toBeLessThan(100);

    await page.reload({ waitUntil: 'commit' });
    await page.waitForFunction(
      ([percent, calls]) =>
        Number(document.querySelector('[data-testid=progress]')?.getAttribute('aria-valuenow') ?? -1) >=
          percent && document.querySelectorAll('[data-testid=tool-call]').length >= calls,
      [before.percent, before.toolCalls.length] as const,
      { timeout: 30_000 },
    );
    const after = await readBuildPage(page);
    expect(after.agentId).toBe('demo');
    expect(after.model).toBe('buildcast-demo');

    await expectFinishedAndEqual(page, projectId, sessionId);
  });

  it('navigate away to the project and back: the same build, finished and equal', async () => {
    const { projectId, sessionId, page } = await openDemo('navigate', QUICK_DEMO_MS);
    await waitForProgress(page, 20);

    await page.locator('.breadcrumbs a').nth(1).click();
    await page.waitForURL(`**/projects/${projectId}`);
    const row = page.locator(`[data-testid=build-row][data-session-id="${sessionId}"]`);
    await row.waitFor();
    await row.click();
    await page.waitForURL(`**/builds/${sessionId}`);
    await waitForProgress(page, 1, 2_000);
    await page.goBack();
    await page.goForward();
    await waitForProgress(page, 1, 2_000);

    await expectFinishedAndEqual(page, projectId, sessionId);
  });

  it('two tabs on the same build finish identical', async () => {
    const { projectId, sessionId, context, page: first } = await openDemo('tabs', QUICK_DEMO_MS);
    const second = await suite.newPage(context);
    await waitForProgress(first, 10);
    await second.goto(`/projects/${projectId}/builds/${sessionId}`);

    const [a, b] = await Promise.all([
      expectFinishedAndEqual(first, projectId, sessionId),
      expectFinishedAndEqual(second, projectId, sessionId),
    ]);
    expect(b).toEqual(a);
  });

  it('offline for 10 s mid-build: the pill says so, then the page catches up with nothing missing', async () => {
    const { projectId, sessionId, context, page } = await openDemo('offline', 600); // about 40 s
    await waitForConnection(page, 'live');
    await waitForProgress(page, 1);

    await context.setOffline(true);
    const pill = page.getByTestId('connection-status');
    await waitForConnection(page, 'offline', 5_000);
    await expect(pill.isVisible()).resolves.toBe(true);
    await expect(pill.textContent()).resolves.toContain('Offline — showing last known state');
    await page.waitForTimeout(10_000);
    const whileOffline = await readBuildPage(page);
    expect(whileOffline.status).toBe('running');
    await context.setOffline(false);

    await waitForConnection(page, 'live', 30_000);
    await expect(pill.isVisible()).resolves.toBe(false);
    await expectFinishedAndEqual(page, projectId, sessionId);
  });

  it('gateway stopped mid-build: polling keeps the page current; gateway back: live again', async () => {
    // The app's own policy (REST after 3 failed attempts), with backoff capped at 2 s so the
    // return to live is quick enough to see before the build ends. About 48 s in all.
    const { projectId, sessionId, page } = await openDemo('gateway', 700, { maxBackoffMs: 2_000 });
    await waitForConnection(page, 'live');
    await waitForProgress(page, 1);

    await suite.web.stopGateway();
    await waitForConnection(page, 'polling', 20_000);
    const pill = page.getByTestId('connection-status');
    await expect(pill.textContent()).resolves.toContain('Live updates paused, polling');
    const atPolling = await readBuildPage(page);
    // New tool calls arrive over REST while no gateway runs.
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid=tool-call]').length > count,
      atPolling.toolCalls.length,
      { timeout: 15_000 },
    );
    await expect(readBuildPage(page)).resolves.toMatchObject({ connection: 'polling', status: 'running' });

    await suite.web.startGateway();
    await waitForConnection(page, 'live', 20_000);
    await expectFinishedAndEqual(page, projectId, sessionId);
  });

  it('replays a pasted transcript that fails: the build page shows the error', async () => {
    const projectId = await suite.web.createProject(`replay ${Date.now()}`);
    const transcript = [
      {
        type: 'session.started',
        data: { agentId: 'scripted', model: 'm-1', projectName: 'x', prompt: 'break it' },
      },
      {
        type: 'todos.updated',
        data: { todos: [{ content: 'Try', activeForm: 'Trying', status: 'in_progress' }] },
      },
      {
        type: 'tool.started',
        data: { toolCallId: 't1', name: 'Bash', input: { command: 'make' }, todoIndex: 0 },
      },
      { type: 'tool.finished', data: { toolCallId: 't1', output: 'make: *** [all] Error 2', isError: true } },
      { type: 'session.finished', data: { status: 'failed', error: 'make exited with code 2' } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const page = await suite.newPage(await newContext());
    await page.goto(`/projects/${projectId}`);
    await page.getByLabel('Transcript').fill(transcript);
    await expect(page.locator('select[name=format] option').first().textContent()).resolves.toContain(
      'Buildcast',
    );
    await page.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL(/\/builds\/[0-9a-f-]+$/);
    const sessionId = page.url().split('/').pop()!;

    await expectFinishedAndEqual(page, projectId, sessionId, 'failed');
    await expect(page.getByTestId('build-error').textContent()).resolves.toContain('make exited with code 2');
  });

  it('a build that does not exist: a not-found page, with no connection error and no Retry', async () => {
    const projectId = await suite.web.createProject(`missing ${Date.now()}`);
    const page = await suite.newPage(await newContext());
    await page.goto(`/projects/${projectId}/builds/00000000-0000-4000-8000-000000000000`);
    await page.getByTestId('not-found').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('connection-status').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);
  });
});
