import type { StartBuildResponse } from '#contracts';
import { browserSuite, waitForFinish } from '../support/browser.js';
import { request } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

/** The build page says which key started a build and which cancelled it (issue 16, item 7). */
describe.each(TRANSPORTS)('build page audit line in Chromium, over %s', (transport) => {
  const suite = browserSuite({ transport });

  async function writerKey(name: string): Promise<{ key: string; prefix: string }> {
    const created = await request<{ key: string; prefix: string }>(`${suite.web.stack.apiUrl}/keys`, {
      body: { name, scopes: ['builds:write'] },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('shows "Started by", and "Cancelled by" once another key cancels the build it watches', async () => {
    const [starter, canceller] = [await writerKey('ci starter'), await writerKey('ci canceller')];
    const projectId = await suite.web.createProject(`audit ${Date.now()}`);
    const builds = `${suite.web.stack.apiUrl}/projects/${projectId}/builds`;
    // Slow enough to still be running whenever it is cancelled.
    const started = await request<StartBuildResponse>(builds, {
      key: starter.key,
      body: { agent: 'demo', eventIntervalMs: 50_000 },
    });
    expect(started.status).toBe(202);
    const { sessionId } = started.body;

    const page = await suite.signedInPage();
    await page.goto(`/projects/${projectId}/builds/${sessionId}`);

    const startedBy = page.getByTestId('audit-started');
    await startedBy.waitFor();
    await expect(startedBy.textContent()).resolves.toMatch(
      new RegExp(`^Started by ci starter \\(${starter.prefix}\\) · \\S`),
    );
    await expect(page.getByTestId('audit-cancelled').count()).resolves.toBe(0);

    // Cancelled by another key while the page watches: its session.finished does not say who.
    const cancelled = await request(`${builds}/${sessionId}/cancel`, { method: 'POST', key: canceller.key });
    expect(cancelled.status).toBe(202);
    await waitForFinish(page, 'cancelled');
    const cancelledBy = page.getByTestId('audit-cancelled');
    await cancelledBy.waitFor();
    await expect(cancelledBy.textContent()).resolves.toMatch(
      new RegExp(`^Cancelled by ci canceller \\(${canceller.prefix}\\) · \\S`),
    );
    // Nothing secret on the page: the keys' shown prefixes only.
    const text = await page.locator('main').textContent();
    for (const { key, prefix } of [starter, canceller]) {
      expect(text).not.toContain(key.slice(prefix.length + 1));
    }
  });
});
