import { WebSocket } from 'ws';
import type { FuzzCase, WsFrame } from './cases.js';
import { judgeClose, judgeMessage, replyLabel, REPLY_TYPES } from './outcomes.js';
import type { Outcome } from './tally.js';

/** Longer than any reply should take (a subscribe reads Postgres). */
const REPLY_TIMEOUT_MS = 20_000;

/**
 * One fuzzed socket: the connect URL is one input, each frame one more. Every frame that does
 * not close the socket gets exactly one reply (pong, subscribed, unsubscribed, resync or
 * error), so frames go one at a time and each is judged by the reply or close it caused.
 */
export async function sendWs(
  gatewayUrl: string,
  input: Extract<FuzzCase, { kind: 'ws' }>,
  fill: (text: string) => string,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const query = fill(input.query);
  let socket: WebSocket;
  try {
    socket = new WebSocket(`${gatewayUrl}${input.path}${query ? `?${query}` : ''}`, {
      perMessageDeflate: false,
      headers: Object.fromEntries(
        Object.entries({ authorization: input.authorization, cookie: input.cookie })
          .filter((entry): entry is [string, string] => entry[1] !== undefined)
          .map(([name, value]) => [name, fill(value)]),
      ),
      ...(input.origin === undefined ? {} : { origin: input.origin }),
    });
  } catch (error) {
    return [
      {
        surface: 'WS connect',
        label: 'invalid URL',
        problem: `the client refused the URL: ${String(error)}`,
      },
    ];
  }
  const peer = new Peer(socket);
  try {
    const opened = await peer.opened();
    if (opened !== 'open') {
      // An upgrade on another path gets 404, from the gateway as from the API's forwarding.
      outcomes.push({ surface: 'WS connect', ...opened });
      return outcomes;
    }
    // A credential at connect (Authorization wins over ?token=, then the cookie) is answered by
    // `authenticated` or a close; then the connect URL's subscription (projectId=…) by its
    // reply. Without one the socket waits for an `auth` message, silently: the first frame
    // tells (anything but `auth` closes 4401), and a URL subscription waits for that `auth`.
    const params = new URLSearchParams(query);
    peer.connectSubscriptionPending = params.has('projectId');
    const credential = input.authorization !== undefined || params.has('token') || input.cookie !== undefined;
    outcomes.push({
      surface: 'WS connect',
      ...(credential ? await peer.answer() : { label: 'open, no credential', problem: peer.problem() }),
    });
    for (const frame of input.frames) {
      if (peer.closed) break;
      if ('flood' in frame) {
        outcomes.push(...(await flood(peer, frame.flood)));
        continue;
      }
      send(socket, frame, fill);
      outcomes.push({ surface: 'WS frame', ...(await peer.answer()) });
    }
    return outcomes;
  } finally {
    if (input.closeNormally && !peer.closed) socket.close(1000);
    else socket.terminate();
  }
}

function send(
  socket: WebSocket,
  frame: Exclude<WsFrame, { flood: number }>,
  fill: (text: string) => string,
): void {
  if ('text' in frame) socket.send(fill(frame.text));
  else if ('binary' in frame) socket.send(frame.binary, { binary: true });
  else socket.send(Buffer.from(frame.invalidUtf8), { binary: false });
}

/** `count` pings at once: every one is answered until the rate limit closes the socket (4429). */
async function flood(peer: Peer, count: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) peer.socket.send('{"type":"ping"}');
  for (let i = 0; i < count; i++) {
    outcomes.push({ surface: 'WS frame', ...(await peer.answer()) });
    if (peer.closed) {
      // The pings sent after the close are answered by it too.
      const last = outcomes[outcomes.length - 1];
      while (outcomes.length < count) outcomes.push({ ...last });
      break;
    }
  }
  return outcomes;
}

type Answer = { label: string; problem: string | null };

/** Records what a socket receives: replies in order, its close, anything wrong with either. */
class Peer {
  closed: { code: number; reason: string } | undefined;
  private readonly replies: Answer[] = [];
  private readonly problems: string[] = [];
  private upgradeStatus: number | undefined;
  private lastError: string | undefined;
  private wake: () => void = () => undefined;

  constructor(readonly socket: WebSocket) {
    socket.on('open', () => this.wake());
    socket.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    socket.on('unexpected-response', (request, response) => {
      this.upgradeStatus = response.statusCode;
      response.resume();
      request.destroy();
      this.closed ??= { code: 0, reason: `HTTP ${response.statusCode}` };
      this.wake();
    });
    socket.on('error', (error) => {
      this.lastError = error.message; // a refused upgrade or a reset: the close that follows is judged
      this.wake();
    });
  }

  /** The connect's outcome: open, a refused upgrade (a 4xx is allowed), or a close before opening. */
  async opened(): Promise<'open' | Answer> {
    // An error is followed by the close event: wait for it, it has the code.
    await this.until(
      () =>
        this.socket.readyState === WebSocket.OPEN ||
        this.closed !== undefined ||
        this.upgradeStatus !== undefined,
    );
    if (this.upgradeStatus !== undefined) {
      const status = this.upgradeStatus;
      return {
        label: `HTTP ${status}`,
        problem: status >= 400 && status < 500 ? null : `upgrade answered ${status}`,
      };
    }
    if (this.socket.readyState === WebSocket.OPEN) return 'open';
    return this.closeAnswer();
  }

  /** The connect URL's subscription, joined with the first `authenticated`, still to be answered. */
  connectSubscriptionPending = false;

  /**
   * The next reply, or the close: what the last input caused. The first `authenticated`
   * also joins the connect URL's subscription: its reply belongs to the same input.
   */
  async answer(): Promise<Answer> {
    const first = await this.nextAnswer();
    if (first.label !== 'authenticated' || !this.connectSubscriptionPending) return first;
    this.connectSubscriptionPending = false;
    const second = await this.nextAnswer();
    return { label: `authenticated, ${second.label}`, problem: first.problem ?? second.problem };
  }

  private async nextAnswer(): Promise<Answer> {
    const ok = await this.until(() => this.replies.length > 0 || this.closed !== undefined);
    const reply = this.replies.shift();
    if (reply) return { ...reply, problem: reply.problem ?? this.problem() };
    if (!ok) return { label: 'no answer', problem: `no reply or close in ${REPLY_TIMEOUT_MS} ms` };
    return this.closeAnswer();
  }

  problem(): string | null {
    return this.problems.shift() ?? null;
  }

  private closeAnswer(): Answer {
    const { code, reason } = this.closed ?? { code: 1006, reason: 'no close event' };
    if (code === 1006 && this.lastError)
      return { label: `close ${code}`, problem: `the socket failed: ${this.lastError}` };
    return { label: `close ${code}`, problem: this.problem() ?? judgeClose(code, reason) };
  }

  private receive(data: Buffer, isBinary: boolean): void {
    let message: { type: string; code?: string };
    try {
      message = JSON.parse(data.toString('utf8')) as { type: string; code?: string };
    } catch {
      this.problems.push(`the gateway sent a frame that is not JSON (binary: ${isBinary})`);
      return;
    }
    const problem = judgeMessage(message);
    if (REPLY_TYPES.has(message.type)) this.replies.push({ label: replyLabel(message), problem });
    else if (problem) this.problems.push(problem);
    this.wake();
  }

  /** Waits for `condition`, woken by every message, close or error; false after the timeout. */
  private async until(condition: () => boolean): Promise<boolean> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }
}
