import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { LineBuffer } from './line-buffer.js';

/** How often the file is read again when no change notice came (fs.watch misses some: NFS, editors that rename). */
const RECHECK_MS = 500;

/**
 * The lines of a file that is still being written, like `tail -f` from its first byte: what is
 * there, then each line as it is completed, until `signal` aborts. Waits on fs.watch, with a
 * periodic re-read as the fallback.
 */
export async function* tailLines(file: string, signal: AbortSignal): AsyncGenerator<string> {
  const handle = await open(file, 'r');
  const lines = new LineBuffer();
  const chunk = Buffer.alloc(64 * 1024);
  let offset = 0;
  // A change noticed while reading is kept, so the wait after the read does not miss it.
  let changed: boolean;
  let wake: (() => void) | null = null;
  const notice = () => {
    changed = true;
    wake?.();
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(file, notice);
    watcher.on('error', () => undefined); // the periodic re-read still runs
  } catch {
    // no change notices on this file system: the periodic re-read alone
  }
  const recheck = setInterval(notice, RECHECK_MS);
  signal.addEventListener('abort', notice);
  try {
    while (!signal.aborted) {
      changed = false;
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        for (const line of lines.push(chunk.subarray(0, bytesRead))) {
          yield line;
          if (signal.aborted) return;
        }
        continue;
      }
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    clearInterval(recheck);
    signal.removeEventListener('abort', notice);
    watcher?.close();
    await handle.close();
  }
}
