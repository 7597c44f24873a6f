import type { ConnectionStatus } from '../connection.js';
import { WatchStore, type WatchSnapshot } from './watch-store.js';

/** A watch the test changes by hand. */
class FakeWatch {
  status: ConnectionStatus = 'connecting';
  error: string | null = null;
  closed = false;
  retried = 0;
  readonly listeners = new Set<() => void>();
  subscribe(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  retry() {
    this.retried += 1;
  }
  close() {
    this.closed = true;
  }
  change(status: ConnectionStatus) {
    this.status = status;
    for (const listener of this.listeners) listener();
  }
}

describe('WatchStore', () => {
  let opened: FakeWatch[];
  const store = () =>
    new WatchStore<FakeWatch, WatchSnapshot>(
      () => {
        const watch = new FakeWatch();
        opened.push(watch);
        return watch;
      },
      (watch, retry) => ({ status: watch?.status ?? 'connecting', error: watch?.error ?? null, retry }),
    );
  beforeEach(() => (opened = []));

  it('opens nothing until subscribed: its first snapshot is connecting', () => {
    const subject = store();
    expect(subject.getSnapshot().status).toBe('connecting');
    expect(opened).toHaveLength(0);
  });

  it('opens on the first subscriber, and the snapshot is a new object after a change and the same one otherwise', () => {
    const subject = store();
    let calls = 0;
    subject.subscribe(() => (calls += 1));
    subject.subscribe(() => undefined);
    expect(opened).toHaveLength(1);
    const before = subject.getSnapshot();
    expect(subject.getSnapshot()).toBe(before);
    opened[0].change('live');
    expect(calls).toBe(1);
    expect(subject.getSnapshot()).not.toBe(before);
    expect(subject.getSnapshot().status).toBe('live');
    expect(before.status).toBe('connecting'); // the old snapshot is untouched
  });

  it('closes when the last subscriber leaves, and a new subscriber gets a fresh watch (StrictMode)', () => {
    const subject = store();
    const first = subject.subscribe(() => undefined);
    const second = subject.subscribe(() => undefined);
    first();
    expect(opened[0].closed).toBe(false);
    second();
    expect(opened[0].closed).toBe(true);
    expect(opened[0].listeners.size).toBe(0);
    subject.subscribe(() => undefined);
    expect(opened).toHaveLength(2);
    expect(opened[1].closed).toBe(false);
  });

  it('retry reaches the open watch', () => {
    const subject = store();
    subject.getSnapshot().retry(); // nothing open: nothing happens
    subject.subscribe(() => undefined);
    subject.getSnapshot().retry();
    expect(opened[0].retried).toBe(1);
  });
});
