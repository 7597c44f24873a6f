import { Connection, type ConnectionHandlers, type ConnectionStatus } from './connection.js';
import type { ResolvedOptions } from './options.js';

/**
 * What build and project watches share: one Connection (the connection policy), its status,
 * and the listeners. `Args` is what a listener gets after a change.
 */
export abstract class Watcher<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();
  protected connection!: Connection;

  /** Called by the subclass constructor once its handlers can run; status changes notify with `statusArgs`. */
  protected connect(options: ResolvedOptions, handlers: ConnectionHandlers, statusArgs: Args): void {
    this.connection = new Connection(options, handlers, () => this.notify(...statusArgs));
    this.connection.start();
  }

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  get error(): string | null {
    return this.connection.error;
  }

  get notFound(): boolean {
    return this.connection.notFound;
  }

  subscribe(listener: (...args: Args) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  retry(): void {
    this.connection.retry();
  }

  close(): void {
    this.connection.stop();
    this.listeners.clear();
  }

  protected notify(...args: Args): void {
    for (const listener of this.listeners) listener(...args);
  }
}
