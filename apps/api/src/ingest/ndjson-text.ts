/**
 * The text of an NDJSON body as the body parsers left it: Buildcast's own parser makes it a
 * string; a host app's raw parser, mounted before Buildcast's, a Buffer (read as UTF-8); no
 * body leaves nothing (or `{}`, from older body parsers): an empty transcript. Anything else
 * was parsed by another parser as something that is no longer the lines sent: undefined.
 */
export function ndjsonText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body === undefined || body === null) return '';
  if (
    typeof body === 'object' &&
    Object.getPrototypeOf(body) === Object.prototype &&
    Object.keys(body).length === 0
  ) {
    return '';
  }
  return undefined;
}
