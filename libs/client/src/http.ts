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
  { signal, token }: RequestOptions,
): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      ...init,
      signal,
      headers: {
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...init.headers,
      },
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new HttpError(0, `${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new HttpError(response.status, `${response.status} ${serverMessage(body)}`);
  }
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
