import { GroupCommit, groupSize, type Sized } from './group-commit.js';

const sized = (...items: string[]): Sized<string>[] => items.map((item) => ({ item, bytes: item.length }));

/** A commit function whose calls wait until the test settles them, one by one. */
function heldCommits() {
  const groups: string[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const commit = (group: string[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push(group);
      pending.push({ resolve, reject });
    });
  /** Lets the oldest commit in flight succeed, then lets the appender start the next. */
  const settle = async (error?: Error) => {
    const next = pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { groups, commit, settle, inFlight: () => pending.length };
}

describe('groupSize', () => {
  it('takes as many items as fit both limits, and always one', () => {
    const limits = { maxItems: 3, maxBytes: 10 };
    expect(groupSize(sized('aaaa', 'bbbb', 'cc', 'd'), limits)).toBe(3);
    expect(groupSize(sized('aaaa', 'bbbb', 'ccc'), limits)).toBe(2);
    expect(groupSize(sized('a', 'b', 'c', 'd', 'e'), limits)).toBe(3);
    expect(groupSize(sized('x'.repeat(50), 'b'), limits)).toBe(1);
    expect(groupSize([], limits)).toBe(0);
  });
});

describe('GroupCommit', () => {
  const limits = { maxItems: 3, maxBytes: 1000 };

  it('commits a trickle one item at a time, at once', async () => {
    const { groups, commit, settle } = heldCommits();
    const appender = new GroupCommit(commit, limits);
    await appender.offer(sized('a'));
    expect(groups).toEqual([['a']]); // started before offer returned: no added wait
    await settle();
    await appender.offer(sized('b'));
    expect(groups).toEqual([['a'], ['b']]);
    await settle();
    await appender.drain();
  });

  it('commits what arrived during a commit in the next one, in order and within the limits', async () => {
    const { groups, commit, settle, inFlight } = heldCommits();
    const appender = new GroupCommit(commit, limits, 100);
    await appender.offer(sized('1'));
    await appender.offer(sized('2', '3'));
    await appender.offer(sized('4'));
    await appender.offer(sized('5', 'finished'));
    expect(inFlight()).toBe(1);
    const drained = appender.drain();
    await settle();
    await settle();
    await settle();
    await drained;
    expect(groups).toEqual([['1'], ['2', '3', '4'], ['5', 'finished']]);
  });

  it('never holds the last item back: drain resolves once it is committed', async () => {
    const { groups, commit, settle } = heldCommits();
    const appender = new GroupCommit(commit, limits);
    await appender.offer(sized('1', '2'));
    await appender.offer(sized('todos'));
    let drained = false;
    const draining = appender.drain().then(() => (drained = true));
    await settle();
    expect(groups).toEqual([['1', '2'], ['todos']]);
    expect(drained).toBe(false);
    await settle();
    await draining;
    expect(drained).toBe(true);
  });

  it('makes a fast producer wait while the queue is at its high-water mark', async () => {
    const { commit, settle } = heldCommits();
    const appender = new GroupCommit(commit, limits, 4);
    await appender.offer(sized('a')); // in flight
    await appender.offer(sized('b', 'c', 'd'));
    let roomGiven = false;
    const offered = appender.offer(sized('e')).then(() => (roomGiven = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(roomGiven).toBe(false);
    await settle(); // 'a' done; 'b', 'c', 'd' taken: one left waiting
    await offered;
    expect(roomGiven).toBe(true);
  });

  it('after a failed commit drops what waits and rejects every later offer and drain', async () => {
    const { groups, commit, settle } = heldCommits();
    const appender = new GroupCommit(commit, limits);
    await appender.offer(sized('a'));
    await appender.offer(sized('b'));
    const drained = expect(appender.drain()).rejects.toThrow('refused');
    await settle(new Error('refused'));
    await drained;
    await expect(appender.offer(sized('c'))).rejects.toThrow('refused');
    expect(appender.failed).toBe(true);
    expect(groups).toEqual([['a']]);
  });

  it('close drops what waits and waits for the commit in flight', async () => {
    const { groups, commit, settle } = heldCommits();
    const appender = new GroupCommit(commit, limits);
    await appender.offer(sized('a', 'b', 'c', 'd'));
    let closed = false;
    const closing = appender.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    await settle();
    await closing;
    expect(groups).toEqual([['a', 'b', 'c']]);
  });
});
