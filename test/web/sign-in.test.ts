import type { Page } from 'playwright-core';
import {
  browserSuite,
  expectFinishedPageEqual,
  readBuildPage,
  signIn,
  waitForConnection,
} from '../support/browser.js';
import { TEST_ADMIN_KEY } from '../support/stack.js';

/** Subscription tokens live 3 s here, so a build of about 27 s outlives several of them. */
const TOKEN_TTL_SECONDS = 3;
const SLOW_DEMO_MS = 400;

/** Sign-in, sign-out and short-lived socket credentials in a real browser against the real stack. */
describe('signing in to the web app in Chromium', () => {
  const suite = browserSuite({ env: { TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) } });

  const storedItems = (page: Page) => page.evaluate(() => localStorage.length + sessionStorage.length);

  it('the sign-in link leads to a working app: projects shown, the key gone from the URL, nothing stored', async () => {
    await suite.web.createProject(`sign-in ${Date.now()}`);
    const page = await suite.freshPage();
    await page.goto('/');
    // Before signing in: a way to sign in, not an error.
    await page.getByTestId('sign-in-prompt').waitFor();

    await signIn(page);
    expect(page.url()).toBe(`${suite.web.appUrl}/`);
    await page.getByTestId('project-list').waitFor();
    await expect(page.getByTestId('key-name').textContent()).resolves.toBe('BUILDCAST_ADMIN_KEY');
    await expect(storedItems(page)).resolves.toBe(0);
    // The key is not in the history either: Back does not lead to it.
    const entries = await page.evaluate(() => window.history.length);
    for (let back = 1; back < entries; back++) {
      await page.goBack();
      expect(page.url()).not.toContain(TEST_ADMIN_KEY);
    }
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly])).toEqual([['buildcast_session', true]]);
  });

  it('the form: a bad key shows the server message, a good one signs in', async () => {
    const page = await suite.freshPage();
    await page.goto('/sign-in');
    const field = page.getByLabel('API key');
    await expect(field.getAttribute('type')).resolves.toBe('password');
    await field.fill('bc_nope_0123456789abcdefghijklmnopqrstuv');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('key: unknown, revoked');
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await field.fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('key-name').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(storedItems(page)).resolves.toBe(0);
  });

  it('sign out: the API answers 401 and the page says "Signed out", its live watch too; then back in', async () => {
    const projectId = await suite.web.createProject(`sign-out ${Date.now()}`);
    const page = await suite.freshPage();
    await signIn(page);
    await page.goto(`/projects/${projectId}`);
    await waitForConnection(page, 'live');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('[data-testid=session][data-state=signed-out]').waitFor();
    await expect(page.getByTestId('session').textContent()).resolves.toContain('Signed out');
    const answer = await page.context().request.get('/api/projects');
    expect(answer.status()).toBe(401);
    // The gateway closes the socket its sign-in opened; the pill offers a sign-in, not Retry.
    await waitForConnection(page, 'signed-out');
    const pill = page.getByTestId('connection-status');
    await expect(pill.textContent()).resolves.toContain('Signed out');
    await expect(pill.getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(pill.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);

    // Back in: the pill's link, then the sign-in link opened in that same tab (only the fragment changes).
    await pill.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await signIn(page);
    await page.getByTestId('project-list').waitFor();
  });

  it('tokens expire many times during a live build: renewed in place, nothing lost, more than one minted', async () => {
    const { projectId, sessionId } = await suite.web.startDemo(`tokens ${Date.now()}`, SLOW_DEMO_MS);
    const page = await suite.freshPage();
    await signIn(page);
    let minted = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/api\/projects\/[^/]+\/tokens$/.test(request.url())) minted += 1;
    });
    // Every state the pill takes, as the page goes.
    await page.addInitScript(() => {
      const seen: string[] = ((window as { pillStates?: string[] }).pillStates = []);
      new MutationObserver(() => {
        const state = document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state');
        if (state && seen[seen.length - 1] !== state) seen.push(state);
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    let sockets = 0;
    page.on('websocket', () => {
      sockets += 1;
    });
    await page.goto(`/projects/${projectId}/builds/${sessionId}`);
    await waitForConnection(page, 'live');

    const shown = await expectFinishedPageEqual(suite.web, page, projectId, sessionId);
    expect(shown.percent).toBe(100);
    expect(shown.todos.every((status) => status === 'completed')).toBe(true);
    await waitForConnection(page, 'live');
    expect(minted).toBeGreaterThan(1);
    // Some of them were renewals in place: more tokens than sockets (each socket's first is one).
    expect(minted).toBeGreaterThan(sockets);
    const states = await page.evaluate(() => (window as { pillStates?: string[] }).pillStates ?? []);
    expect(states).not.toContain('error');
    expect(states).not.toContain('signed-out');
    expect((await readBuildPage(page)).connection).toBe('live');
  });
});
