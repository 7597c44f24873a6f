/** A REST answer that was not 2xx; `status` 0 means the request never got an answer. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Sent as `Authorization: Bearer`; without it a browser's same-origin cookie authenticates. */
  token?: string;
  /** More request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

export function getJson<T>(fetchImpl: typeof fetch, url: string, options: RequestOptions = {}): Promise<T> {
  return requestJson<T>(fetchImpl, url, {}, options);
}

/** POSTs a JSON body; an answer that is not 2xx becomes an HttpError with the server's message. */
export function postJson<T>(
  fetchImpl: typeof fetch,
  url: string,
  body: unknown,
  options: RequestOptions = {},
): Promise<T> {
  return requestJson<T>(
    fetchImpl,
    url,
    { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    options,
  );
}

export function deleteJson<T>(
  fetchImpl: typeof fetch,
  url: string,
  options: RequestOptions = {},
): Promise<T> {
  return requestJson<T>(fetchImpl, url, { method: 'DELETE' }, options);
}

/** The parsed JSON answer; undefined for an empty one (204). */
async function requestJson<T>(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  options: RequestOptions,
): Promise<T> {
  return parseJson<T>(await send(fetchImpl, url, init, options));
}

/** What a conditional GET learnt: the answer and its validator, or that nothing changed (304). */
export type Revalidated<T> = { notModified: false; body: T; etag: string | null } | { notModified: true };

/**
 * GETs JSON with the validator of an earlier answer (If-None-Match): a 304 says that the
 * resource is still what that answer held. Without `etag` it is a plain GET that keeps the
 * answer's ETag (null when there is none, or a cross-origin API does not expose it).
 */
export async function getJsonIfChanged<T>(
  fetchImpl: typeof fetch,
  url: string,
  etag: string | null,
  options: RequestOptions = {},
): Promise<Revalidated<T>> {
  const init = etag === null ? {} : { headers: { 'if-none-match': etag } };
  const response = await send(fetchImpl, url, init, options);
  if (response.status === 304) return { notModified: true };
  return { notModified: false, etag: response.headers.get('etag'), body: await parseJson<T>(response) };
}

/** The answer, which is 2xx or 304 (only ever an answer to If-None-Match); else an HttpError. */
async function send(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  { signal, token, headers }: RequestOptions,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      ...init,
      signal,
      headers: {
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...init.headers,
        ...headers,
      },
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new HttpError(0, `${url}: ${(error as Error).message}`);
  }
  if (!response.ok && response.status !== 304) {
    const body = await response.text().catch(() => '');
    throw new HttpError(response.status, `${response.status} ${serverMessage(body)}`);
  }
  return response;
}

async function parseJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Nest's error body says what was wrong in `message` (a string or a list). */
function serverMessage(body: string): string {
  try {
    const { message } = JSON.parse(body) as { message?: unknown };
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  } catch {
    // not JSON: show the start of it
  }
  return body.slice(0, 200);
}
