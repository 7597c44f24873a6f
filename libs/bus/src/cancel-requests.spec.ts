import type { BuildReadModel } from '#persistence';
import { CANCEL_CHANNEL, CancelRequests } from './cancel-requests.js';
import type { ChannelPublisher } from './channels/channel-publisher.js';
import type { ChannelListener, ChannelSubscriber } from './channels/channel-subscriber.js';

/** A subscriber whose announcements and reconnects the test makes happen. */
class FakeSubscriber {
  readonly listeners = new Map<string, ChannelListener>();
  readonly reconnectListeners = new Set<() => void>();

  subscribe(channel: string, listener: ChannelListener): Promise<() => Promise<void>> {
    this.listeners.set(channel, listener);
    return Promise.resolve(() => Promise.resolve(void this.listeners.delete(channel)));
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  announce(channel: string, message: object): void {
    this.listeners.get(channel)?.(message, JSON.stringify(message));
  }

  reconnect(): void {
    for (const listener of this.reconnectListeners) listener();
  }
}

describe('CancelRequests', () => {
  const remembered = new Set<string>();
  const readModel = { cancelRequested: (sessionId: string) => Promise.resolve(remembered.has(sessionId)) };
  let subscriber: FakeSubscriber;
  let requests: CancelRequests;
  const heard: string[] = [];
  const running = ['a', 'b'];
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    remembered.clear();
    heard.length = 0;
    subscriber = new FakeSubscriber();
    requests = new CancelRequests(
      {} as ChannelPublisher,
      subscriber as unknown as ChannelSubscriber,
      readModel as unknown as BuildReadModel,
    );
  });

  it('passes on every announced request', async () => {
    await requests.listen(
      (sessionId) => heard.push(sessionId),
      () => running,
    );
    subscriber.announce(CANCEL_CHANNEL, { sessionId: 'z' });
    subscriber.announce(CANCEL_CHANNEL, { nothing: 'here' });
    expect(heard).toEqual(['z']);
  });

  it('after a reconnect, recalls the remembered requests of the builds it watches (one announced meanwhile was lost)', async () => {
    await requests.listen(
      (sessionId) => heard.push(sessionId),
      () => running,
    );
    remembered.add('b').add('elsewhere');
    subscriber.reconnect();
    await settle();
    expect(heard).toEqual(['b']);
  });

  it('recalls nothing once it stopped listening', async () => {
    const leave = await requests.listen(
      (sessionId) => heard.push(sessionId),
      () => running,
    );
    await leave();
    remembered.add('a');
    subscriber.reconnect();
    subscriber.announce(CANCEL_CHANNEL, { sessionId: 'a' });
    await settle();
    expect(heard).toEqual([]);
  });
});
