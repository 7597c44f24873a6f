/**
 * Splits a growing file's bytes into complete lines. The last line waits until its newline
 * arrives (a writer may be half-way through it); bytes are decoded per whole line, so a UTF-8
 * character split between two reads stays whole.
 */
export class LineBuffer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): string[] {
    const bytes = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const lines: string[] = [];
    let start = 0;
    for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      lines.push(bytes.toString('utf8', start, newline).replace(/\r$/, ''));
      start = newline + 1;
    }
    this.pending = bytes.subarray(start);
    return lines;
  }
}
