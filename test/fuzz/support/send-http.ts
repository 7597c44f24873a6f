import { connect } from 'node:net';
import type { Outcome } from './tally.js';
import type { FuzzCase } from './cases.js';
import { judgeHttp } from './outcomes.js';

/** Longer than any answer should take: the slowest allowed request waits 50 ms for events. */
const ANSWER_TIMEOUT_MS = 20_000;

/** One fuzzed request through fetch (Node's HTTP client, keep-alive): its outcome and the body. */
export async function sendRest(
  apiUrl: string,
  input: Extract<FuzzCase, { kind: 'rest' }>,
  fill: (text: string) => string,
): Promise<{ outcome: Outcome; body: string }> {
  const headers = Object.fromEntries(
    Object.entries(input.headers).map(([name, value]) => [name, fill(value)]),
  );
  const url = new URL(`${apiUrl}${fill(input.path)}`);
  const underApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
  const surface = underApi ? input.surface : 'outside /api';
  const send = () =>
    fetch(url, {
      method: input.method,
      headers,
      body: input.body === undefined ? undefined : fill(input.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  let response: Response;
  try {
    response = await sendPast(send, CLOSED_SOCKET_TRIES);
  } catch (error) {
    return { outcome: { surface, label: 'no answer', problem: `no answer: ${describe(error)}` }, body: '' };
  }
  const body = await response.text().catch(() => '');
  const problem = judgeHttp(response.status, body, underApi);
  return { outcome: { surface, label: String(response.status), problem }, body };
}

/**
 * Tries for a request that met a closed socket: a kept-alive socket the server closed as fetch
 * reused it (a race a stalled, busy machine makes likely: the server's idle timer fired while
 * fetch's did not yet), so the request never reached the API. Each such error drops that
 * socket, but the pool may hold several the server closed during one stall (seen in CI: the
 * one retry met another). A server that resets the request itself fails every try.
 */
const CLOSED_SOCKET_TRIES = 4;

async function sendPast(send: () => Promise<Response>, tries: number): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= tries || !isClosedSocket(error)) throw error;
    }
  }
}

/** Bytes straight onto a TCP socket, for what fetch would never send; the first answer is judged. */
export function sendRaw(apiUrl: string, text: string, fill: (text: string) => string): Promise<Outcome[]> {
  const { hostname, port } = new URL(apiUrl);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let done = false;
    const socket = connect(Number(port), hostname);
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve([outcome]);
    };
    const judgeReceived = () => {
      const answer = parseResponse(received);
      if (!answer) {
        return finish({
          surface: 'raw HTTP',
          label: 'no answer',
          problem: 'the connection closed without an answer',
        });
      }
      finish({
        surface: 'raw HTTP',
        label: String(answer.status),
        problem: judgeHttp(answer.status, answer.body),
      });
    };
    const timer = setTimeout(
      () =>
        finish({ surface: 'raw HTTP', label: 'no answer', problem: `no answer in ${ANSWER_TIMEOUT_MS} ms` }),
      ANSWER_TIMEOUT_MS,
    );
    socket.on('error', () => (received.length > 0 ? judgeReceived() : undefined));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parseResponse(received, true)) judgeReceived();
    });
    socket.on('close', judgeReceived);
    socket.write(Buffer.from(fill(text), 'latin1'));
  });
}

/** The first response in `bytes`: its status and body (when complete, or `complete` is not required). */
function parseResponse(bytes: Buffer, complete = false): { status: number; body: string } | null {
  const text = bytes.toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]);
  if (!status) return null;
  const head = text.slice(0, headEnd);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  const rest = bytes.subarray(Buffer.byteLength(text.slice(0, headEnd + 4)));
  if (length === undefined) return complete ? null : { status, body: rest.toString('utf8') };
  if (rest.length < Number(length)) return complete ? null : { status, body: rest.toString('utf8') };
  return { status, body: rest.subarray(0, Number(length)).toString('utf8') };
}

/** Duck-typed: fetch's errors come from another realm than jest's, so `instanceof Error` fails. */
function describe(error: unknown): string {
  const { message, cause } = (error ?? {}) as {
    message?: string;
    cause?: { message?: string; code?: string };
  };
  if (message === undefined) return String(error);
  return cause?.message === undefined ? message : `${message} (${cause.code ?? ''} ${cause.message})`;
}

function isClosedSocket(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}
