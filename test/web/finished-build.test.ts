/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser.
import { readUsage, type StartBuildResponse } from '#contracts';
import { formatCost, formatDuration, formatTokens } from '../../apps/web/src/format/format.js';
import { browserSuite, waitForFinish } from '../support/browser.js';
import { eventually } from '../support/builds.js';
import { SessionWriter } from '../support/session-writer.js';
import { request } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

const PROMPT = 'Make the answer 2';
const USAGE = { input_tokens: 1200, cache_read_input_tokens: 600_000, output_tokens: 3400, costUsd: 12.47 };
const RAW_HTML = '<img src="x" onerror="window.injected = true"><b>raw bold</b>';
/** A finished Claude-like build: a prompt, messages around an Edit, and usage (buildcast-ndjson). */
const TRANSCRIPT = [
  { type: 'session.started', data: { agentId: 'x', model: 'claude-test', projectName: 'x', prompt: PROMPT } },
  {
    type: 'todos.updated',
    data: { todos: [{ content: 'Change a', activeForm: 'Changing a', status: 'in_progress' }] },
  },
  { type: 'message', data: { role: 'assistant', text: `Looking at **the constant** first.\n\n${RAW_HTML}` } },
  {
    type: 'tool.started',
    data: {
      toolCallId: 'edit-1',
      name: 'Edit',
      input: {
        file_path: 'src/a.ts',
        old_string: 'const a = 1;\nexport { a };\n',
        new_string: 'const a = 2;\nexport { a };\n',
      },
      todoIndex: 0,
    },
  },
  { type: 'tool.finished', data: { toolCallId: 'edit-1', output: 'Edited src/a.ts', isError: false } },
  { type: 'message', data: { role: 'assistant', text: 'Done: `a` is now *2*.' } },
  {
    type: 'todos.updated',
    data: { todos: [{ content: 'Change a', activeForm: 'Changing a', status: 'completed' }] },
  },
  { type: 'session.finished', data: { status: 'completed', usage: USAGE } },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

/** Contract v2 "Finished sessions and the web app": a finished build is frozen; the timeline. */
describe.each(TRANSPORTS)('finished builds in Chromium, over %s', (transport) => {
  const suite = browserSuite({ transport });
  const signedInPage = () => suite.signedInPage({ viewport: { width: 1100, height: 900 } });

  it('a build cancelled with a call open shows it aborted: no spinner, times stopped at the end', async () => {
    const writer = await SessionWriter.create(suite.web.stack.api, `cancelled ${Date.now()}`);
    const page = await signedInPage();
    // The page's clock is ours: it runs on, and jumps ahead when told.
    await page.clock.install();
    await page.goto(`/projects/${writer.projectId}/builds/${writer.sessionId}`);
    await writer.append([
      { type: 'session.started', data: { agentId: 'claude-code', model: 'm', projectName: 'p' } },
      {
        type: 'todos.updated',
        data: { todos: [{ content: 'Run it', activeForm: 'Running it', status: 'in_progress' }] },
      },
      {
        type: 'tool.started',
        data: { toolCallId: 'slow', name: 'Bash', input: { command: 'sleep 600' }, todoIndex: 0 },
      },
    ]);
    const call = page.locator('[data-testid=tool-call][data-tool-call-id=slow]');
    await call.locator('.spinner').waitFor();
    // While it runs, its time runs with the clock (so the checks below can fail).
    const running = await call.getByTestId('tool-duration').textContent();
    await page.clock.fastForward('02:00');
    await page.waitForFunction(
      (before) =>
        document.querySelector('[data-tool-call-id=slow] [data-testid=tool-duration]')?.textContent !==
        before,
      running,
    );

    await writer.append([{ type: 'session.finished', data: { status: 'cancelled' } }]);
    await waitForFinish(page, 'cancelled');
    await call.and(page.locator('[data-status=aborted]')).waitFor();

    const snapshot = (await writer.snapshot())!;
    const [aborted] = snapshot.toolCalls;
    expect(aborted).toMatchObject({ id: 'slow', status: 'aborted', endedAt: snapshot.session.endedAt });
    const callTime = formatDuration(Date.parse(aborted.endedAt!) - Date.parse(aborted.startedAt));
    const buildTime = formatDuration(
      Date.parse(snapshot.session.endedAt!) - Date.parse(snapshot.session.startedAt!),
    );
    const shown = async () => ({
      call: await call.getByTestId('tool-duration').textContent(),
      build: await page.getByTestId('duration').textContent(),
      spinners: await page.locator('main .spinner').count(),
      todoMark: await page.locator('[data-testid=todo] .todo-mark').getAttribute('aria-label'),
      reason: await page.getByTestId('end-reason').textContent(),
    });
    const expected = {
      call: callTime,
      build: buildTime,
      spinners: 0,
      todoMark: 'stopped',
      reason: 'Cancelled on request',
    };
    expect(await shown()).toEqual(expected);
    // Ten minutes later on the page's clock nothing has moved.
    await page.clock.fastForward('10:00');
    expect(await shown()).toEqual(expected);

    // A fresh load folds nothing itself: the snapshot says the same.
    await page.reload();
    await waitForFinish(page, 'cancelled');
    await page.locator('[data-testid=tool-call][data-status=aborted]').waitFor();
    expect(await shown()).toEqual(expected);
  });

  it('shows the prompt, the messages as Markdown between the calls, the usage, and an Edit as a diff', async () => {
    const projectId = await suite.web.createProject(`timeline ${Date.now()}`);
    const started = await request<StartBuildResponse>(
      `${suite.web.stack.apiUrl}/projects/${projectId}/builds`,
      {
        body: { agent: 'replay', format: 'buildcast-ndjson', transcript: TRANSCRIPT, eventIntervalMs: 0 },
      },
    );
    expect(started.status).toBe(202);
    const { sessionId } = started.body;
    const snapshot = await eventually(async () => {
      const current = await suite.web.snapshot(projectId, sessionId);
      return current.session.status === 'completed' ? current : undefined;
    }, 'the replay to finish');
    expect(snapshot.session.prompt).toBe(PROMPT);
    expect(snapshot.messages.map((message) => message.text)).toEqual([
      expect.stringContaining('the constant'),
      'Done: `a` is now *2*.',
    ]);

    const page = await signedInPage();
    await page.goto(`/projects/${projectId}/builds/${sessionId}`);
    await waitForFinish(page);
    await expect(page.getByTestId('prompt').textContent()).resolves.toBe(PROMPT);

    // In place: message, the Edit, message.
    const timeline = await page
      .locator('[data-testid=todo] .tool-calls > li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-testid')));
    expect(timeline).toEqual(['message', 'tool-call', 'message']);
    const [first, second] = [page.getByTestId('message').nth(0), page.getByTestId('message').nth(1)];
    await expect(first.locator('strong').textContent()).resolves.toBe('the constant');
    await expect(second.locator('code').textContent()).resolves.toBe('a');
    await expect(second.locator('em').textContent()).resolves.toBe('2');
    // Raw HTML stays text: no element made of it, nothing run.
    await expect(first.locator('img, b').count()).resolves.toBe(0);
    await expect(first.textContent()).resolves.toContain(RAW_HTML);
    await expect(page.evaluate(() => (window as { injected?: boolean }).injected)).resolves.toBeUndefined();

    const figures = readUsage(snapshot.session.usage)!;
    await expect(page.getByTestId('usage').textContent()).resolves.toBe(
      `Usage${formatTokens(figures.inputTokens!)} tokens in · ${formatTokens(figures.outputTokens!)} out · ${formatCost(figures.costUsd!)}`,
    );
    expect(figures).toEqual({ inputTokens: 601_200, outputTokens: 3400, costUsd: 12.47 });

    const edit = page.locator('[data-testid=tool-call][data-tool-call-id=edit-1]');
    await expect(edit.locator('.tool-summary').textContent()).resolves.toBe('src/a.ts');
    // Its todo is completed, so collapsed: open it, then the call.
    await page.locator('[data-testid=todo]', { has: edit }).locator('.todo-toggle').click();
    await edit.locator('.tool-call-line').click();
    const diff = edit.getByTestId('diff');
    await diff.waitFor();
    const lines = await diff
      .locator('.diff-line')
      .evaluateAll((items) =>
        items.map((item): [string, string | null] => [
          (item.getAttribute('class') ?? '').replace('diff-line ', ''),
          item.textContent,
        ]),
      );
    expect(lines).toEqual([
      ['diff-remove', '-const a = 1;\n'],
      ['diff-add', '+const a = 2;\n'],
      ['diff-context', ' export { a };\n'],
    ]);
    await expect(edit.locator('.tool-details').textContent()).resolves.not.toContain('old_string');
  });
});
