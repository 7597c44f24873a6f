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

export async function getJson<T>(fetchImpl: typeof fetch, url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new HttpError(0, `${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new HttpError(response.status, `${response.status} ${serverMessage(body)}`);
  }
  return (await response.json()) as T;
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
