import { WebSocket } from 'ws';
import { watchBuild, type BuildWatch, type ClientOptions } from '#client';
import { freePort, spawnGateway, type GatewayProcess } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
import { startStack, type TestStack } from '../support/stack.js';
import { mintTokens } from '../support/tokens.js';

/** What the SDK declared dead before it pinged: two silences of the default 30 s heartbeat. */
const OLD_SILENCE_BOUND_MS = 60_000;

/**
 * A gateway that freezes (SIGSTOP: the socket stays open, nothing answers) must not look
 * `live`: the SDK's own ping goes unanswered, it drops the socket, and once the gateway
 * runs again it resumes from its cursor with nothing lost.
 */
describe('libs/client and a frozen gateway', () => {
  let stack: TestStack;
  let gateway: GatewayProcess;
  let watch: BuildWatch | undefined;

  beforeAll(async () => {
    stack = await startStack();
    gateway = await spawnGateway(stack.childEnv(), await freePort());
  });
  afterAll(async () => {
    watch?.close();
    gateway?.child.kill('SIGCONT'); // never leave a stopped process behind
    await gateway?.stop();
    await stack?.close();
  });

  /** Resolves when `condition` holds (checked on every change), or rejects after `timeoutMs`. */
  const until = (what: string, condition: () => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (condition()) return resolve();
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (status ${watch?.status})`));
      }, timeoutMs);
      const stop = watch!.subscribe(() => {
        if (!condition()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });

  it('leaves live well before the old 60 s silence bound, then resumes from its cursor', async () => {
    const writer = await SessionWriter.create(stack.api);
    await writer.append(SessionWriter.events(5, { start: true }));
    const options: ClientOptions = {
      baseUrl: stack.apiUrl.replace(/\/api$/, ''),
      wsUrl: gateway.wsUrl,
      WebSocket: WebSocket,
      pingIntervalMs: 500,
      pongTimeoutMs: 1000,
      minBackoffMs: 50,
      maxBackoffMs: 300,
      getToken: mintTokens(stack.apiUrl),
    };
    watch = watchBuild(writer.projectId, writer.sessionId, options);
    await until('live at seq 5', () => watch!.status === 'live' && watch!.state?.seq === 5, 20_000);

    gateway.child.kill('SIGSTOP');
    try {
      const stoppedAt = Date.now();
      // A third of the old bound: generous for a busy machine, far below what the SDK took.
      await until('the watch to leave live', () => watch!.status !== 'live', OLD_SILENCE_BOUND_MS / 3);
      console.log(`The SDK left live ${Date.now() - stoppedAt} ms after SIGSTOP`);
      // The build goes on while the gateway is frozen.
      await writer.append(SessionWriter.events(10, { prefix: 'frozen' }));
    } finally {
      gateway.child.kill('SIGCONT');
    }
    const last = await writer.append([SessionWriter.finished]);
    await until(
      'live again with every seq',
      () => watch!.status === 'live' && watch!.state?.seq === last.toSeq,
      30_000,
    );
    const snapshot = (await writer.snapshot())!;
    expect(watch.state?.seq).toBe(snapshot.seq);
    expect(watch.state?.todos).toEqual(snapshot.todos);
    expect(watch.state?.toolCalls.map((call) => [call.id, call.status])).toEqual(
      snapshot.toolCalls.map((call) => [call.id, call.status]),
    );
    expect(watch.state?.session.status).toBe('completed');
  });
});
