/** What a MessageSource reports to the ChannelSubscriber that owns it. */
export interface MessageHandlers {
  message(channel: string, raw: string): void;
  /** The connection is (back) up; subscriptions made before are in effect again. */
  ready(): void;
}

/**
 * The wire under the ChannelSubscriber: a Redis subscriber connection, or a Postgres
 * connection that LISTENs. The ChannelSubscriber keeps the listeners; this only moves messages.
 */
export abstract class MessageSource {
  /** True when a subscription made now takes effect at once (connected). */
  abstract get ready(): boolean;

  /** Called once, before the first subscribe. */
  abstract listen(handlers: MessageHandlers): void;

  /** Resolves once messages on `channels` will be delivered (while connected). */
  abstract subscribe(channels: readonly string[]): Promise<void>;

  abstract unsubscribe(channel: string): Promise<void>;
}
