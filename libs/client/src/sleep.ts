/**
 * Resolves after `ms`, or at once when `signal` aborts; never rejects (callers check
 * `signal.aborted`). Browser-safe, unlike node:timers/promises. The abort listener goes
 * away when the timer fires: loops that sleep on one long-lived signal (reconnects,
 * polling) would otherwise pile them up until Node warns (MaxListenersExceededWarning).
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
