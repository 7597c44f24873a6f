import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's own mapping of HTTP parser errors to a status (anything else is a 400). */
const STATUS_BY_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * Requests Node's HTTP parser refuses before Express sees them (a 16 KB URL, a malformed
 * request line) get the same answer Node would send, but with a body in Nest's error shape.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const statusCode = STATUS_BY_CODE[error.code ?? ''] ?? 400;
    const reason = STATUS_CODES[statusCode] ?? 'Bad Request';
    const body = JSON.stringify({
      statusCode,
      error: reason,
      message: `the request could not be read: ${reason}`,
    });
    socket.end(
      `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
