import { projectChannel } from '#contracts';
import { toSummaryMessage } from '#bus';
import type { ClientConnection } from '../connections/client-connection.js';
import { projectRoomKey, type RoomContext, type RoomHooks } from './room-context.js';
import type { Room } from './room.js';

/** Summaries sent to a socket when it joins a project room (the latest sessions first). */
const SUMMARIES_ON_JOIN = 50;

/**
 * `project:{p}`: sockets watching a project's list of builds. Summaries are the latest state
 * of a session (with its seq), so a lost one is repaired by sending the current ones again:
 * on join, after a Redis reconnect, and when a backed-up socket drains.
 */
export class ProjectRoom implements Room {
  readonly key: string;
  readonly kind = 'project';
  /** Summaries carry their own seq: there is no log to audit here. */
  readonly unfinishedSession = undefined;
  readonly channel: string;
  /**
   * Sockets and their state: live; paused (backed up, gets nothing until it drains); or
   * joining, with the live summaries that arrived while its current ones were read.
   */
  private readonly members = new Map<ClientConnection, 'live' | 'paused' | Buffer[]>();
  private ready: Promise<void> | undefined;
  private exists = false;
  private joining = 0;
  private leaveChannel: (() => Promise<void>) | undefined;

  constructor(
    readonly projectId: string,
    private readonly context: RoomContext,
    private readonly hooks: RoomHooks,
  ) {
    this.key = projectRoomKey(projectId);
    this.channel = projectChannel(projectId);
  }

  /** Members, plus sockets still joining: a room with either must stay open. */
  get size(): number {
    return this.members.size + this.joining;
  }

  /** SUBSCRIBE, and check once that the project exists (every join relies on it). */
  open(): Promise<void> {
    this.ready ??= (async () => {
      this.leaveChannel = await this.context.subscriber.subscribe(this.channel, (_message, raw) =>
        this.relay(raw),
      );
      this.exists = (await this.context.readModel.getProject(this.projectId)) !== null;
    })();
    return this.ready;
  }

  async join(connection: ClientConnection): Promise<'joined' | 'not-found' | 'gone'> {
    this.joining += 1;
    try {
      await this.open();
      if (!this.exists) return 'not-found';
      if (!connection.isOpen) return 'gone';
    } finally {
      this.joining -= 1;
    }
    this.members.set(connection, []);
    connection.rooms.add(this.key);
    connection.send({
      type: 'subscribed',
      projectId: this.projectId,
      seq: 0,
      heartbeatMs: this.context.config.heartbeatMs,
    });
    await this.sendCurrent(connection);
    return 'joined';
  }

  leave(connection: ClientConnection): void {
    this.members.delete(connection);
    connection.rooms.delete(this.key);
  }

  /** Redis was away: every member gets the current summaries again. */
  recover(): void {
    for (const connection of this.members.keys()) void this.sendCurrent(connection);
  }

  /** Summaries are relayed as they come: nothing is pending. */
  flush(): void {}

  /** A backed-up socket drained: it may have missed summaries, so it gets the current ones. */
  resume(connection: ClientConnection): void {
    if (this.members.get(connection) !== 'paused') return;
    this.members.set(connection, []);
    void this.sendCurrent(connection);
  }

  async close(): Promise<void> {
    for (const connection of this.members.keys()) connection.rooms.delete(this.key);
    this.members.clear();
    await this.leaveChannel?.();
  }

  /** Live summaries are forwarded as Redis delivered them: no parse, no serialize. */
  private relay(text: string): void {
    const raw = Buffer.from(text);
    let sockets = 0;
    for (const [connection, state] of this.members) {
      if (Array.isArray(state)) {
        state.push(raw);
        continue;
      }
      if (state === 'paused') continue;
      if (!connection.canQueue(raw.length)) {
        this.pause(connection);
        continue;
      }
      if (connection.sendFrame(raw) > 0) sockets += 1;
    }
    this.context.metrics.framesSent.inc(sockets);
    this.context.metrics.bytesSent.inc(sockets * raw.length);
  }

  /**
   * The current summaries, then the live ones that arrived meanwhile; then it is live. A
   * socket that backs up meanwhile is paused: it gets the current ones again once drained
   * (a client re-subscribing in a loop without reading must not pile summaries up).
   */
  private async sendCurrent(connection: ClientConnection): Promise<void> {
    let frames: Buffer[] = [];
    try {
      const sessions = await this.context.readModel.listSessions(this.projectId, SUMMARIES_ON_JOIN);
      frames = sessions.map((summary) => Buffer.from(JSON.stringify(toSummaryMessage(summary))));
    } catch (error) {
      this.context.logger.warn(`Reading the summaries of ${this.key} failed: ${(error as Error).message}`);
    }
    const waiting = this.members.get(connection);
    if (!Array.isArray(waiting)) return;
    for (const raw of [...frames, ...waiting]) {
      if (!connection.canQueue(raw.length)) return this.pause(connection);
      this.context.metrics.frameSent(connection.sendFrame(raw));
    }
    this.members.set(connection, 'live');
  }

  private pause(connection: ClientConnection): void {
    this.members.set(connection, 'paused');
    this.context.metrics.slowSockets.inc();
    this.hooks.paused(this, connection);
  }
}
