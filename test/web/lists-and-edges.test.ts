/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import type { SessionSummary, StartBuildResponse } from '#contracts';
import { seriousAxeViolations } from '../support/axe.js';
import { browserSuite, waitForConnection, waitForFinish } from '../support/browser.js';
import { eventually, withBuildsHeld } from '../support/builds.js';
import { request } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

/** The builds started here exceed the default per-minute allowance of one key. */
const GENEROUS_LIMITS = { BUILD_STARTS_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000' };
const PHONE = { width: 390, height: 844 };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * Lists (paging, live cards, run again), the edges (not found, broken links, the tab's
 * title and icon, a phone's width) and accessibility (axe-core), in Chromium.
 */
describe('lists and edges of the web app in Chromium', () => {
  const suite = browserSuite({ env: GENEROUS_LIMITS });

  const newPage = (
    options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
  ) =>
    suite.signedInPage({
      viewport: options.viewport ?? { width: 1100, height: 900 },
      colorScheme: options.colorScheme ?? 'light',
    });

  const buildsUrl = (projectId: string) => `${suite.web.stack.apiUrl}/projects/${projectId}/builds`;
  const api = {
    builds: buildsUrl,
    async start(projectId: string, body: object): Promise<string> {
      const { status, body: started } = await request<StartBuildResponse>(buildsUrl(projectId), { body });
      if (status !== 202) throw new Error(`POST builds answered ${status}`);
      return started.sessionId;
    },
    async list(projectId: string, limit = 200): Promise<SessionSummary[]> {
      return (await request<SessionSummary[]>(`${buildsUrl(projectId)}?limit=${limit}`)).body;
    },
  };

  /** `count` demo builds, cancelled before any worker took them: each has a prompt and an error. */
  async function cancelledBuilds(projectId: string, count: number): Promise<string[]> {
    return withBuildsHeld(suite.web.stack.workers, async () => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push(await api.start(projectId, { agent: 'demo', prompt: `task number ${i}` }));
      }
      for (const id of ids) {
        const { status } = await request(`${api.builds(projectId)}/${id}/cancel`, { method: 'POST' });
        if (status !== 202) throw new Error(`cancel answered ${status}`);
      }
      return ids;
    });
  }

  const rowIds = (page: Page) =>
    page.$$eval('[data-testid=build-row]', (rows) => rows.map((row) => row.getAttribute('data-session-id')));

  it('pages builds past 50 with "Load older builds"; rows show prompt, error, relative time and duration', async () => {
    const projectId = await suite.web.createProject(`paging ${Date.now()}`);
    await cancelledBuilds(projectId, 53);
    const listed = await api.list(projectId);
    expect(listed).toHaveLength(53);

    const page = await newPage();
    await page.goto(`/projects/${projectId}`);
    await page.getByTestId('build-row').nth(49).waitFor();
    await expect(rowIds(page)).resolves.toEqual(listed.slice(0, 50).map((build) => build.id));
    await page.getByTestId('load-more-builds').click();
    await page.getByTestId('build-row').nth(52).waitFor();
    await expect(rowIds(page)).resolves.toEqual(listed.map((build) => build.id));
    await expect(page.getByTestId('load-more-builds').count()).resolves.toBe(0);

    const first = page.getByTestId('build-row').first();
    await expect(first.getByTestId('build-prompt').textContent()).resolves.toBe(listed[0].prompt);
    await expect(first.getByTestId('build-row-error').textContent()).resolves.toBe(listed[0].error);
    await expect(first.getByTestId('build-started').textContent()).resolves.toMatch(
      /^(just now|\d+ minutes? ago)$/,
    );
    // Cancelled before it started: no duration.
    await expect(first.getByTestId('build-duration').textContent()).resolves.toBe('—');
  });

  it('"Run again" starts a new build with the same request and opens it', async () => {
    const projectId = await suite.web.createProject(`run again ${Date.now()}`);
    const [original] = await cancelledBuilds(projectId, 1);
    const page = await newPage();
    await page.goto(`/projects/${projectId}`);
    await page.getByTestId('run-again').click();
    await page.waitForURL(/\/builds\/[0-9a-f-]+$/);
    const sessionId = page.url().split('/').pop()!;
    expect(sessionId).not.toBe(original);
    const builds = await api.list(projectId);
    expect(builds.map((build) => build.id)).toEqual([sessionId, original]);
    expect(builds[0]).toMatchObject({ agent: 'demo', prompt: 'task number 0' });
  });

  it('shows a not-found page, without a connection error or Retry, for an unknown project or build', async () => {
    const projectId = await suite.web.createProject(`not found ${Date.now()}`);
    const page = await newPage();
    for (const path of [`/projects/${UNKNOWN}`, `/projects/${projectId}/builds/${UNKNOWN}`, '/nowhere']) {
      await page.goto(path);
      const notFound = page.getByTestId('not-found');
      await notFound.waitFor();
      await expect(notFound.getAttribute('data-reason')).resolves.toBe('unknown');
      await expect(page.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);
      await expect(page.getByTestId('connection-status').count()).resolves.toBe(0);
      await expect(page.locator('.alert-error').count()).resolves.toBe(0);
    }
  });

  it('explains a malformed link instead of showing "must be a UUID"', async () => {
    const projectId = await suite.web.createProject(`malformed ${Date.now()}`);
    const page = await newPage();
    for (const path of [
      '/projects/not-a-project',
      `/projects/${projectId}/builds/1234`,
      '/projects/x/builds/y',
    ]) {
      await page.goto(path);
      const notFound = page.getByTestId('not-found');
      await notFound.waitFor();
      await expect(notFound.getAttribute('data-reason')).resolves.toBe('malformed');
      const text = await page.locator('main').textContent();
      expect(text).toMatch(/not a valid id/);
      expect(text).not.toMatch(/UUID|400/);
      await expect(page.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);
    }
  });

  it('names status and percent in the tab title and icon while a build runs, and restores them after', async () => {
    const name = `titled ${Date.now()}`;
    const { projectId, sessionId } = await suite.web.startDemo(name, 300);
    const page = await newPage();
    await page.goto(`/projects/${projectId}/builds/${sessionId}`);
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await page.waitForFunction(
      (pattern) => new RegExp(pattern).test(document.title),
      `^\\d{1,3} % (queued|running) · ${escaped}$`,
    );
    await waitForFinish(page);
    await page.waitForFunction((expected) => document.title === expected, `100 % completed · ${name}`);
    const icon = await page.$eval('link[rel=icon]', (link) => (link as HTMLLinkElement).href);
    expect(decodeURIComponent(icon)).toMatch(/^data:image\/svg\+xml,<svg.*#1f9d55/);
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.waitForFunction(() => document.title === 'Buildcast');
  });

  it('fits a 390 px phone: no page scrolls sideways and the pill leaves the top bar free', async () => {
    const { projectId, sessionId } = await suite.web.startDemo(
      `a rather long project name for a phone ${Date.now()}`,
      50,
    );
    await api.start(projectId, {
      agent: 'demo',
      prompt: 'Refactor the checkout service so that every payment provider goes through one adapter '.repeat(
        3,
      ),
    });
    const page = await newPage({ viewport: PHONE });
    const fits = () =>
      page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
    for (const path of ['/', `/projects/${projectId}`, `/projects/${projectId}/builds/${sessionId}`]) {
      await page.goto(path);
      await page.locator('main h1').first().waitFor();
      if (path === `/projects/${projectId}`) await page.getByTestId('build-row').nth(1).waitFor();
      const { scrollWidth, clientWidth } = await fits();
      expect({ path, overflow: scrollWidth - clientWidth }).toEqual({ path, overflow: 0 });
    }

    // The gateway goes away: the pill shows, below the top bar rather than over it.
    await page.goto(`/projects/${projectId}`);
    await waitForConnection(page, 'live');
    await suite.web.stopGateway();
    await page.locator('[data-testid=connection-status]:not([hidden])').waitFor();
    const [pill, topbar] = await Promise.all([
      page.getByTestId('connection-status').boundingBox(),
      page.locator('.topbar').boundingBox(),
    ]);
    expect(pill!.y).toBeGreaterThanOrEqual(topbar!.y + topbar!.height);
    expect(pill!.x + pill!.width).toBeLessThanOrEqual(PHONE.width);
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe-core violation on the projects, project and build pages (%s)',
    async (colorScheme) => {
      const { projectId, sessionId } = await suite.web.startDemo(`axe ${colorScheme} ${Date.now()}`, 50);
      // Every status shows somewhere: a cancelled and a failed build beside the demo.
      await cancelledBuilds(projectId, 1);
      const page = await newPage({ colorScheme });
      await page.goto(`/projects/${projectId}/builds/${sessionId}`);
      await waitForFinish(page);
      const findings: Record<string, unknown> = {};
      findings.build = await seriousAxeViolations(page);
      await page.goto(`/projects/${projectId}`);
      await page.getByTestId('build-row').nth(1).waitFor();
      findings.project = await seriousAxeViolations(page);
      await page.goto('/');
      await page.getByTestId('latest-build').first().waitFor();
      findings.projects = await seriousAxeViolations(page);
      expect(findings).toEqual({ build: [], project: [], projects: [] });
    },
  );
});

/** The projects page's cards follow their project's newest build over each transport. */
describe.each(TRANSPORTS)('live project cards over %s', (transport) => {
  const suite = browserSuite({ env: GENEROUS_LIMITS, transport });

  it('a card shows "No builds yet", then the build started elsewhere, live to its end', async () => {
    const name = `live card ${Date.now()}`;
    const projectId = await suite.web.createProject(name);
    const page = await suite.signedInPage();
    const card = page.locator(`[data-testid=project][data-project-id="${projectId}"]`);
    await expect(card.getByTestId('latest-build').getAttribute('data-status')).resolves.toBe('none');

    const { status, body } = await request<StartBuildResponse>(
      `${suite.web.stack.apiUrl}/projects/${projectId}/builds`,
      {
        body: { agent: 'demo', eventIntervalMs: 100, prompt: 'watch me' },
      },
    );
    expect(status).toBe(202);
    const latest = card.locator(`[data-testid=latest-build][data-session-id="${body.sessionId}"]`);
    await latest.waitFor();
    await expect(latest.textContent()).resolves.toContain('watch me');
    await card.locator('[data-testid=latest-build][data-status=completed]').waitFor({ timeout: 90_000 });
    await expect(latest.textContent()).resolves.toContain('100 %');
    // Nothing was reloaded: the same page followed it.
    await expect(page.evaluate(() => performance.getEntriesByType('navigation').length)).resolves.toBe(1);
    await eventually(
      async () => ((await page.evaluate(() => document.title)) === 'Buildcast' ? true : undefined),
      'the projects page keeps the default title',
    );
  });
});
