import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '#config';
import { MessageSource, type MessageHandlers } from '../channels/message-source.js';
import { decodeNotice, NOTIFY_CHANNEL } from './notice-payload.js';

/** Waits before the 1st, 2nd, … reconnect in a row; the last one repeats. */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];
/** How long start-up waits for the first connection; it goes on trying after that. */
const FIRST_CONNECT_WAIT_MS = 3000;

/**
 * The Postgres transport's subscriber: one connection per process that LISTENs on
 * NOTIFY_CHANNEL, where every announcement of the database arrives; the ChannelSubscriber
 * picks what its listeners want. NOTIFY is at most once (nothing is kept for a connection
 * that is down), which is safe because readers fill gaps from Postgres by seq: after a
 * reconnect, `ready` tells them to. The connection's application_name also tells the health
 * checks that this process is alive (PostgresPresence).
 */
@Injectable()
export class PostgresListener extends MessageSource implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresListener.name);
  private readonly stopping = new AbortController();
  private client: pg.Client | undefined;
  private connected = false;
  private handlers: MessageHandlers | undefined;
  private applicationName = 'buildcast';
  private reconnecting: Promise<void> | undefined;
  private reported = false;

  constructor(private readonly config: AppConfig) {
    super();
  }

  get ready(): boolean {
    return this.connected;
  }

  listen(handlers: MessageHandlers): void {
    this.handlers = handlers;
    if (this.connected) handlers.ready(); // the first connection, made before anyone listened
  }

  /** Every announcement arrives on the one LISTEN; there is nothing to subscribe to. */
  async subscribe(): Promise<void> {}

  async unsubscribe(): Promise<void> {}

  /** Names this process in pg_stat_activity (its presence), now and after every reconnect. */
  async setApplicationName(name: string): Promise<void> {
    this.applicationName = name;
    if (this.connected) {
      await this.client
        ?.query(`SELECT set_config('application_name', $1, false)`, [name])
        .catch(() => undefined);
    }
  }

  async onModuleInit(): Promise<void> {
    const first = this.reconnect();
    await Promise.race([first, sleep(FIRST_CONNECT_WAIT_MS, undefined, { ref: false })]);
    if (!this.connected) this.logger.warn('Postgres LISTEN is not connected yet; announcements wait for it');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.connected = false;
    await this.client?.end().catch(() => undefined);
  }

  /** Connects (again) until it is listening or the app stops; one loop at a time. */
  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      for (let attempt = 0; !this.stopping.signal.aborted; attempt += 1) {
        try {
          await this.connect();
          return;
        } catch (error) {
          this.report(error as Error);
          const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
          await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        }
      }
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: this.applicationName,
      keepAlive: true,
    });
    client.on('notification', ({ payload }) => this.deliver(payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopping.signal.aborted) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    if (this.reported) this.logger.log('Postgres LISTEN connection restored');
    this.reported = false;
    this.handlers?.ready();
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client || !this.connected) return;
    this.connected = false;
    this.report(error ?? new Error('connection ended'));
    void client.end().catch(() => undefined);
    if (!this.stopping.signal.aborted) void this.reconnect();
  }

  private report(error: Error): void {
    if (!this.reported) this.logger.warn(`Postgres LISTEN connection: ${error.message}`);
    this.reported = true;
  }

  private deliver(payload: string | undefined): void {
    const notice = payload === undefined ? null : decodeNotice(payload);
    if (notice) this.handlers?.message(notice.channel, notice.raw);
  }
}
