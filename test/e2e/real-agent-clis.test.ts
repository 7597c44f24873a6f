import { access, constants, mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildEvent, EventsPage, Snapshot } from '#contracts';
import { DEFAULT_AGENT_ENV } from '#config';
import { cancelByRequest, eventually, pollUntilFinished, processesWorkingIn } from '../support/builds.js';
import { startDeadEndProxy, type DeadEndProxy } from '../support/dead-end-proxy.js';
import { request, startStack, type TestStack } from '../support/stack.js';

/**
 * The real Claude Code and Codex CLIs (dev dependencies, pinned in package.json) through the
 * live agents, offline: neither can log in or reach its service, so what they print then is
 * what this checks. A new version that prints something else fails here.
 */
const CLIS = { claude: '@anthropic-ai/claude-code', codex: '@openai/codex' } as const;
const LOGIN = 'Not logged in · Please run /login';
/** What Codex 0.169.0 says while it retries through a proxy that answers 502 (see dead-end-proxy.ts). */
const PROXY_502 =
  'stream disconnected before completion: URL error: Proxy connection failed: HTTP CONNECT failed with status 502';
const CODEX_RETRYING = [
  `Warning: Reconnecting... 2/5 (${PROXY_502})`,
  `Warning: Falling back from WebSockets to HTTPS transport. ${PROXY_502}`,
  'Warning: Reconnecting... waiting for network (Connection failed: error sending request)',
];
/** Far beyond what either needs, for a machine under heavy load; nothing here is timed. */
const GENEROUS_MS = 180_000;

/** The CLI's executable in node_modules/.bin; a missing one fails the suite, saying why. */
async function devDependencyBin(name: keyof typeof CLIS): Promise<string> {
  const bin = path.resolve(process.cwd(), 'node_modules/.bin', name);
  try {
    await access(bin, constants.X_OK);
  } catch {
    throw new Error(
      `${bin} is missing or not executable: ${CLIS[name]} is a dev dependency of this repository (npm install)`,
    );
  }
  return bin;
}

describe('the real Claude Code and Codex CLIs, offline, through the live agents', () => {
  let stack: TestStack;
  let proxy: DeadEndProxy;
  let scratch: string;
  let workRoot: string;
  let claudeConfig: string;
  let builds: string;

  beforeAll(async () => {
    const claude = await devDependencyBin('claude');
    const codex = await devDependencyBin('codex');
    proxy = await startDeadEndProxy();
    scratch = await realpath(await mkdtemp(path.join(os.tmpdir(), 'buildcast-real-clis-')));
    workRoot = path.join(scratch, 'builds');
    // A home of their own: the machine's logins and settings must not reach them.
    const home = path.join(scratch, 'home');
    claudeConfig = path.join(home, '.claude');
    const codexHome = path.join(home, '.codex');
    await mkdir(codexHome, { recursive: true }); // Codex refuses a CODEX_HOME that does not exist
    stack = await startStack({
      workers: 1,
      // The whole environment of the stack, so of the agents: nothing else from this machine.
      env: {
        LIVE_AGENTS: 'claude-code,codex',
        CLAUDE_BIN: claude,
        CODEX_BIN: codex,
        AGENT_WORK_ROOT: workRoot,
        // codex's bin is a Node script (`#!/usr/bin/env node`).
        PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
        HOME: home,
        CLAUDE_CONFIG_DIR: claudeConfig,
        CODEX_HOME: codexHome,
        LANG: 'C.UTF-8',
        HTTPS_PROXY: proxy.url,
        AGENT_ENV: `${DEFAULT_AGENT_ENV},HTTPS_PROXY`,
      },
    });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'real clis' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  }, GENEROUS_MS);
  afterAll(async () => {
    await stack?.close(); // stops any agent still running
    await proxy?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }, GENEROUS_MS);

  it(
    'Claude Code ends failed with its login message and the model it reported',
    async () => {
      // `sonnet` is an alias: the session's model is the name Claude resolved it to.
      const started = await request(builds, {
        body: { agent: 'claude-code', prompt: 'Say hi', model: 'sonnet' },
      });
      expect(started.status).toBe(202);
      const { projectId, sessionId } = started.body;
      const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
      const snapshot = (await request<Snapshot>(`${builds}/${sessionId}`)).body;

      expect(snapshot.session).toEqual(
        expect.objectContaining({ status: 'failed', error: LOGIN, model: 'claude-sonnet-5-5' }),
      );
      expect(events[0]).toEqual(
        expect.objectContaining({
          type: 'session.started',
          data: expect.objectContaining({ model: 'claude-sonnet-5-5' }),
        }),
      );
      expect(events.at(-1)?.data).toEqual(expect.objectContaining({ status: 'failed', error: LOGIN }));
      expect(snapshot.messages.map((message) => message.text)).toEqual([LOGIN, `Run failed: ${LOGIN}`]);
      // It used the home it was given (its session log is there), and left nothing running.
      await expect(readdir(path.join(claudeConfig, 'projects'))).resolves.not.toHaveLength(0);
      await eventually(
        async () =>
          (await processesWorkingIn(path.join(workRoot, sessionId))).length === 0 ? true : undefined,
        'no process left in the Claude build directory',
        GENEROUS_MS,
      );
    },
    GENEROUS_MS * 2,
  );

  it(
    'Codex retrying its connection runs on without failing, and is cancelled with no process left',
    async () => {
      const started = await request(builds, { body: { agent: 'codex', prompt: 'Say hi' } });
      expect(started.status).toBe(202);
      const { projectId, sessionId } = started.body;
      const directory = path.join(workRoot, sessionId);

      // Its retries: the 2/5…5/5 errors, the fallback to HTTPS, then "waiting for network",
      // top-level `error` lines each. Once the last kind shows, all of them went by.
      const events: BuildEvent[] = [];
      let after = 0;
      await eventually(
        async () => {
          const url = `${builds}/${sessionId}/events?after=${after}&waitMs=5000`;
          const page = (await request<EventsPage>(url)).body;
          for (const event of page.events) {
            // Anything else fails at once, saying what Codex printed instead.
            const expected =
              event.type === 'session.started' ||
              (event.type === 'message' && CODEX_RETRYING.includes(event.data.text));
            if (!expected) throw new Error(`Codex went otherwise while it retried: ${JSON.stringify(event)}`);
          }
          events.push(...page.events);
          after = page.seq;
          const texts = events.map((event) => (event.type === 'message' ? event.data.text : null));
          return texts.includes(CODEX_RETRYING.at(-1)!) ? true : undefined;
        },
        'Codex to wait for the network',
        GENEROUS_MS,
      );
      await expect(processesWorkingIn(directory)).resolves.not.toHaveLength(0);
      expect(proxy.connections).toBeGreaterThan(0); // it went through the dead end, not the network

      // The errors are warnings while it goes on: the build is running, with no error.
      const running = (await request<Snapshot>(`${builds}/${sessionId}`)).body;
      expect(running.session).toEqual(expect.objectContaining({ status: 'running', error: null }));
      expect(running.messages.map((message) => message.text)).toEqual(CODEX_RETRYING);

      // A user stops it.
      await cancelByRequest(stack.apiUrl, projectId, sessionId);
      const cancelled = (await request<Snapshot>(`${builds}/${sessionId}`)).body;
      expect(cancelled.session).toEqual(
        expect.objectContaining({ status: 'cancelled', error: 'Cancelled by request' }),
      );
      // Codex's Node launcher and the native binary it runs are both gone (a pid counts while
      // it is alive in the build directory: a reused pid elsewhere is not Codex).
      await eventually(
        async () => ((await processesWorkingIn(directory)).length === 0 ? true : undefined),
        'no Codex process left after the cancel',
        GENEROUS_MS,
      );
    },
    GENEROUS_MS * 2,
  );
});
