/** Thrown for anything the CLI reports and exits on; `exitCode` says which kind. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** JSON over fetch to a Buildcast API; errors become CliErrors with the server's message. */
export class BuildcastApi {
  constructor(
    readonly origin: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.origin}/api${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: { 'content-type': 'application/json' },
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
      throw new CliError(`${method} ${path}: ${response.status} ${detail}`, EXIT.failed);
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined; // not JSON (a proxy's error page): the caller shows the text
  }
}
