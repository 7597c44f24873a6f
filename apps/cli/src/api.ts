/** Thrown for anything the CLI reports and exits on; `exitCode` says which kind. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, denied: 4 } as const;

/**
 * JSON over fetch to a Buildcast API, with the API key as `Authorization: Bearer`; errors
 * become CliErrors with the server's message.
 */
export class BuildcastApi {
  /** `fetch` with the key's Authorization header: also what the SDK's REST calls go through. */
  readonly fetch: typeof fetch;

  constructor(
    readonly origin: string,
    readonly key: string | undefined,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
      return fetchImpl(input, { ...init, headers });
    };
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.send<void>('DELETE', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.origin}/api${path}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(`Cannot reach Buildcast at ${this.origin}: ${why}`, EXIT.unreachable);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const message = (parsed as { message?: unknown } | undefined)?.message;
      const detail = Array.isArray(message)
        ? message.join('; ')
        : typeof message === 'string'
          ? message
          : text;
      throw refused(`${method} ${path}: ${response.status} ${detail}`, response.status, this.key);
    }
    return parsed as T;
  }
}

/**
 * The server's answer, and for a refused credential what to do about it: 401 (no key, or
 * one the server does not accept) and 403 (the key lacks the scope the server names).
 */
export function refused(message: string, status: number, key: string | undefined): CliError {
  if (status === 401) {
    const hint =
      key === undefined
        ? 'No API key given: set BUILDCAST_KEY or pass --key.'
        : 'The API key was not accepted (unknown, revoked or expired): set BUILDCAST_KEY or pass --key with a valid one.';
    return new CliError(`${message}\n${hint}`, EXIT.denied);
  }
  if (status === 403) return new CliError(message, EXIT.denied);
  return new CliError(message, EXIT.failed);
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined; // not JSON (a proxy's error page): the caller shows the text
  }
}
