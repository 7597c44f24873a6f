import {
  isFinishedStatus,
  sessionChannel,
  type BuildEvent,
  type CommittedEventsNotice,
  type ServerMessageMap,
} from '#contracts';
import { catchUpPageEvents, frameBudget, sliceByBytes } from '../coalescing/byte-slices.js';
import { Coalescer, type EventBatch } from '../coalescing/coalescer.js';
import type { ClientConnection } from '../connections/client-connection.js';
import { CATCH_UP_PAGE, sessionRoomKey, type RoomContext, type RoomHooks } from './room-context.js';

/** An `events` frame, serialized once for every socket, and the batch it carries. */
interface Frame {
  batch: EventBatch;
  frame: Buffer;
}

/**
 * One socket in a session room. `seq` is the last seq this socket has been sent: a socket
 * is never sent a seq twice, and never a seq after a gap.
 */
interface Member {
  readonly connection: ClientConnection;
  seq: number;
  /** live: gets the room's frames; catching-up: reading Postgres, frames wait in `backlog`;
   *  paused: its socket is backed up, it gets nothing until it drains. */
  state: 'live' | 'catching-up' | 'paused';
  backlog: Frame[];
  backlogBytes: number;
  /** The backlog outgrew the socket's limit and was let go: read Postgres again instead. */
  backlogDropped: boolean;
}

export type JoinOutcome = 'joined' | 'not-found' | 'resync' | 'gone';

/**
 * `project:{p}:session:{s}`: the sockets watching one build. The room keeps `lastSeq`, the
 * highest seq it has taken in, gap-free from 1: a published message that does not continue
 * it sends the room to Postgres for the missing range first. Redis is only a doorbell that
 * usually carries the payload; Postgres is the truth.
 */
export class SessionRoom {
  readonly key: string;
  readonly channel: string;
  private readonly members = new Map<ClientConnection, Member>();
  private readonly coalescer: Coalescer;
  /** Highest seq handed to the coalescer. */
  private lastSeq = 0;
  /** Highest seq flushed to members. */
  private flushedSeq = 0;
  private finished = false;
  private ready: Promise<void> | undefined;
  private joining = 0;
  private opened = false;
  /** Whether the session exists in this project (read when the room opened). */
  private exists = false;
  /** Published messages that arrived before the room was open or while it read Postgres. */
  private inbox: Waiting[] = [];
  /** How many reads of Postgres (fills) have begun. */
  private fills = 0;
  private filling = false;
  private leaveChannel: (() => Promise<void>) | undefined;
  private closed = false;
  /** Bytes of events one frame may carry (see frameBudget). */
  private readonly budget: number;
  /** The encoded size of this room's events, on average (sizes the catch-up reads). */
  private averageEventBytes: number | undefined;

  constructor(
    readonly projectId: string,
    readonly sessionId: string,
    private readonly context: RoomContext,
    private readonly hooks: RoomHooks<SessionRoom>,
  ) {
    this.key = sessionRoomKey(projectId, sessionId);
    this.channel = sessionChannel(projectId, sessionId);
    this.budget = frameBudget(context.config.maxBufferedBytes);
    this.coalescer = new Coalescer(
      { windowMs: context.config.coalesceMs, quietMs: context.config.coalesceQuietMs },
      (batch) => this.broadcast(batch),
    );
  }

  /** Members, plus sockets still joining: a room with either must stay open. */
  get size(): number {
    return this.members.size + this.joining;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  get position(): number {
    return this.lastSeq;
  }

  /**
   * SUBSCRIBE first, then read the latest seq: anything committed after that read is
   * published after the SUBSCRIBE took effect, so nothing falls between the two.
   */
  open(): Promise<void> {
    this.ready ??= (async () => {
      this.leaveChannel = await this.context.subscriber.subscribe(this.channel, (message) =>
        this.receive(message),
      );
      const page = await this.context.readModel.eventsAfter(this.projectId, this.sessionId, 0, 0);
      this.exists = page !== null;
      this.lastSeq = this.flushedSeq = page?.latestSeq ?? 0;
      this.finished = page !== null && isFinishedStatus(page.status);
      this.opened = true;
      this.drainInbox(false);
    })();
    return this.ready;
  }

  /**
   * Adds a socket. Without `since` it is live from the room's position; with `since` it first
   * gets every seq after `since` from Postgres while the room's frames wait for it.
   */
  async join(connection: ClientConnection, since: number | undefined): Promise<JoinOutcome> {
    this.joining += 1;
    try {
      return await this.admit(connection, since);
    } finally {
      this.joining -= 1;
    }
  }

  private async admit(connection: ClientConnection, since: number | undefined): Promise<JoinOutcome> {
    await this.open();
    if (!this.exists) return 'not-found';
    // The room knows the latest seq as well as Postgres, unless the client claims more.
    let latestSeq = this.lastSeq;
    if (since !== undefined && since > latestSeq) {
      const latest = await this.context.readModel.eventsAfter(this.projectId, this.sessionId, 0, 0);
      if (!latest) return 'not-found';
      latestSeq = Math.max(latest.latestSeq, latestSeq);
    }
    if (!connection.isOpen) return 'gone';
    if (since !== undefined && since > latestSeq) {
      this.resync(connection, `since ${since} is ahead of the latest seq ${latestSeq}`);
      return 'resync';
    }
    if (since !== undefined && latestSeq - since > this.context.config.maxLagEvents) {
      this.resync(connection, `${latestSeq - since} events behind; fetch a fresh snapshot`);
      return 'resync';
    }
    const member: Member = {
      connection,
      seq: since ?? this.flushedSeq,
      state: 'live',
      backlog: [],
      backlogBytes: 0,
      backlogDropped: false,
    };
    this.members.set(connection, member);
    connection.rooms.add(this.key);
    this.send(connection, {
      type: 'subscribed',
      projectId: this.projectId,
      sessionId: this.sessionId,
      seq: latestSeq,
      heartbeatMs: this.context.config.heartbeatMs,
    });
    // Seqs between flushedSeq and lastSeq are in the next frame anyway, and seqs Postgres
    // has beyond lastSeq are on their way through Redis (or the audit): only older ones
    // need a read.
    if (member.seq < this.flushedSeq) void this.catchUp(member);
    return 'joined';
  }

  leave(connection: ClientConnection): void {
    this.members.delete(connection);
    connection.rooms.delete(this.key);
  }

  /** The room removes a socket itself (resync, session gone): the registry may close it. */
  private expel(connection: ClientConnection): void {
    this.leave(connection);
    this.hooks.left(this);
  }

  /** Redis delivered a committed range. */
  receive(message: unknown): void {
    if (!isCommittedEvents(message)) {
      this.context.logger.warn(`Ignored a malformed message on ${this.channel}`);
      return;
    }
    if (!this.opened || this.filling) {
      this.wait(message);
      return;
    }
    this.take(message);
  }

  /** Reads whatever Postgres has beyond `lastSeq` (after a Redis reconnect or an audit). */
  catchUpFromDatabase(): void {
    if (this.opened) void this.fill();
  }

  /** Sends what is pending now (shutdown). */
  flush(): void {
    this.coalescer.flush();
  }

  /** A paused socket drained: send it everything it missed in one catch-up. */
  resume(connection: ClientConnection): void {
    const member = this.members.get(connection);
    if (member?.state !== 'paused') return;
    if (this.lastSeq - member.seq > this.context.config.maxLagEvents) {
      this.expel(connection);
      this.resync(connection, 'the socket fell too far behind while it was not reading');
      return;
    }
    void this.catchUp(member);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.coalescer.dispose();
    for (const member of this.members.values()) {
      member.connection.rooms.delete(this.key);
    }
    this.members.clear();
    await this.leaveChannel?.();
  }

  private take(message: CommittedEventsNotice): void {
    if (message.toSeq <= this.lastSeq) return;
    if (message.events === undefined || message.fromSeq > this.lastSeq + 1) {
      // The events are in Postgres: announced without them (NOTIFY), or a message before
      // this one was lost (or is late). Postgres has everything up to message.toSeq.
      this.wait(message);
      void this.fill();
      return;
    }
    const fresh = message.events.filter((event) => event.seq > this.lastSeq);
    this.accept(fresh, message.toSeq, 'redis');
  }

  private accept(events: BuildEvent[], toSeq: number, source: 'redis' | 'database'): void {
    this.lastSeq = toSeq;
    if (events.some((event) => event.type === 'session.finished')) this.finished = true;
    this.context.metrics.eventsIn.inc({ source }, events.length);
    this.coalescer.push(events);
  }

  /** Reads the log from `lastSeq` to its end, then goes back to the messages that waited. */
  private async fill(): Promise<void> {
    if (this.filling || this.closed) return;
    this.filling = true;
    this.fills += 1;
    try {
      for (;;) {
        const page = await this.context.readModel.eventsAfter(
          this.projectId,
          this.sessionId,
          this.lastSeq,
          CATCH_UP_PAGE,
        );
        if (this.closed || !page || page.events.length === 0) break;
        const fresh = page.events.filter((event) => event.seq > this.lastSeq);
        if (fresh.length > 0) this.accept(fresh, fresh[fresh.length - 1].seq, 'database');
        if (page.events.length < CATCH_UP_PAGE) break;
      }
    } catch (error) {
      this.context.logger.warn(`Catching ${this.key} up from Postgres failed: ${(error as Error).message}`);
    } finally {
      this.filling = false;
    }
    this.drainInbox(true);
  }

  /** Keeps a message until the room is open, or until Postgres was read after it arrived. */
  private wait(message: CommittedEventsNotice): void {
    this.inbox.push({ message, readBy: this.fills + 1 });
  }

  /**
   * Takes the messages that waited, in seq order. A message whose seqs Postgres should hold
   * (a notice without events, or one after a gap) that a read begun after it arrived still
   * did not reach is dropped: that read failed, and the audit reads again. One that arrived
   * during the read (committed after it began) makes the room read again.
   */
  private drainInbox(afterFill: boolean): void {
    const waiting = this.inbox.sort((a, b) => a.message.fromSeq - b.message.fromSeq);
    this.inbox = [];
    for (const [index, entry] of waiting.entries()) {
      if (this.filling) {
        this.inbox.push(...waiting.slice(index));
        return;
      }
      const { message } = entry;
      const needsRead = message.events === undefined || message.fromSeq > this.lastSeq + 1;
      if (afterFill && message.toSeq > this.lastSeq && needsRead && this.fills >= entry.readBy) {
        this.context.logger.warn(
          `${this.key}: seqs ${this.lastSeq + 1}..${message.toSeq} are not readable yet; the audit will retry`,
        );
        continue;
      }
      this.take(message);
    }
  }

  /**
   * The coalescer's output: cut into frames of at most the frame budget, each serialized
   * once, the same frames for every live socket.
   */
  private broadcast(batch: EventBatch): void {
    this.flushedSeq = batch.toSeq;
    for (const frame of this.frames(batch)) {
      let sockets = 0;
      for (const member of this.members.values()) {
        if (this.deliver(member, frame)) sockets += 1;
      }
      this.context.metrics.batchFlushed(
        frame.batch.toSeq - frame.batch.fromSeq + 1,
        sockets,
        frame.frame.length,
        frame.batch.events.map((event) => Date.parse(event.at)),
      );
    }
  }

  /**
   * A batch as `events` frames whose events weigh at most the frame budget (an event bigger
   * than that travels alone), so no socket is ever handed much more than its limit at once.
   * Each event is JSON-encoded once, for measuring and for the frame.
   */
  private frames(batch: EventBatch): Frame[] {
    const encoded = new Map<BuildEvent, string>();
    const json = (event: BuildEvent): string => {
      let text = encoded.get(event);
      if (text === undefined) encoded.set(event, (text = JSON.stringify(event)));
      return text;
    };
    let bytes = 0;
    const sizeOf = (event: BuildEvent) => {
      const size = Buffer.byteLength(json(event));
      bytes += size;
      return size;
    };
    const slices = sliceByBytes(batch, this.budget, sizeOf);
    if (batch.events.length > 0) {
      const average = bytes / batch.events.length;
      this.averageEventBytes = (this.averageEventBytes ?? average) / 2 + average / 2;
    }
    return slices.map((slice) => {
      const envelope = JSON.stringify({
        type: 'events',
        projectId: this.projectId,
        sessionId: this.sessionId,
        ...slice,
        events: [],
      } satisfies ServerMessageMap['events']);
      // `…"events":[]}` with the encoded events put between the brackets.
      const head = envelope.slice(0, -2);
      return { batch: slice, frame: Buffer.from(`${head}${slice.events.map(json).join(',')}]}`) };
    });
  }

  /** Sends a frame to one member if it continues that member's seq; true when sent as is. */
  private deliver(member: Member, { batch, frame }: Frame): boolean {
    if (member.state === 'catching-up') {
      this.hold(member, { batch, frame });
      return false;
    }
    if (member.state === 'paused' || batch.toSeq <= member.seq) return false;
    if (batch.fromSeq > member.seq + 1) {
      void this.catchUp(member);
      return false;
    }
    if (!member.connection.canQueue(frame.length)) {
      this.pause(member);
      return false;
    }
    if (batch.fromSeq === member.seq + 1) {
      member.connection.sendFrame(frame);
      member.seq = batch.toSeq;
      return true;
    }
    // It already has the start of this batch (it caught up past it): send only the rest.
    this.sendBatch(member, sliceAfter(batch, member.seq));
    return false;
  }

  /**
   * Keeps a frame for a member that is reading Postgres. A backlog bigger than the socket's
   * limit is let go instead (its seqs are in the log): the catch-up reads again.
   */
  private hold(member: Member, frame: Frame): void {
    if (member.backlogDropped) return;
    member.backlog.push(frame);
    member.backlogBytes += frame.frame.length;
    if (member.backlogBytes > this.context.config.maxBufferedBytes) {
      this.clearBacklog(member);
      member.backlogDropped = true;
    }
  }

  private clearBacklog(member: Member): void {
    member.backlog = [];
    member.backlogBytes = 0;
    member.backlogDropped = false;
  }

  /**
   * Replays seq > member.seq from Postgres to one socket, then the frames that were flushed
   * meanwhile, then it is live again. Runs at most once per member at a time.
   */
  private async catchUp(member: Member): Promise<void> {
    if (member.state === 'catching-up') return;
    member.state = 'catching-up';
    const stillHere = () => this.members.get(member.connection) === member && member.connection.isOpen;
    try {
      do {
        this.clearBacklog(member);
        if (!(await member.connection.oneAtATime(() => this.replay(member, stillHere)))) return;
      } while (member.backlogDropped);
      // Frames flushed while Postgres was read: skip what it has, send the rest.
      const backlog = member.backlog;
      this.clearBacklog(member);
      member.state = 'live';
      for (const frame of backlog) {
        if (member.state !== 'live') break;
        this.deliver(member, frame);
      }
    } catch (error) {
      this.context.logger.warn(`Catch-up of a socket in ${this.key} failed: ${(error as Error).message}`);
      if (stillHere()) {
        this.expel(member.connection);
        this.resync(member.connection, 'the gateway could not read the missing events');
      }
    } finally {
      if (member.state === 'catching-up') member.state = 'live';
    }
  }

  /**
   * Sends one member the log after its seq, in pages read from Postgres and frames within
   * the budget, asking its socket before every frame. False when the member stops here: it
   * left, the session is gone, or its socket is backed up (it is paused and resumes from its
   * seq once drained; the rest of the page is dropped, not queued).
   */
  private async replay(member: Member, stillHere: () => boolean): Promise<boolean> {
    for (;;) {
      if (!stillHere()) return false;
      // Another room may have filled the buffer while this one waited its turn: read nothing.
      if (!member.connection.canQueue(this.budget)) {
        this.pause(member);
        return false;
      }
      const limit = catchUpPageEvents(
        this.context.config.maxBufferedBytes,
        this.averageEventBytes,
        CATCH_UP_PAGE,
      );
      const page = await this.context.readModel.eventsAfter(
        this.projectId,
        this.sessionId,
        member.seq,
        limit,
      );
      if (!stillHere()) return false;
      if (!page) {
        this.expel(member.connection);
        this.send(member.connection, {
          type: 'error',
          code: 'not_found',
          message: 'The session no longer exists',
          projectId: this.projectId,
          sessionId: this.sessionId,
        });
        return false;
      }
      const fresh = page.events.filter((event) => event.seq > member.seq);
      if (fresh.length > 0) {
        const batch = { fromSeq: member.seq + 1, toSeq: fresh[fresh.length - 1].seq, events: fresh };
        for (const { batch: slice, frame } of this.frames(batch)) {
          if (!member.connection.canQueue(frame.length)) {
            this.pause(member);
            return false;
          }
          this.context.metrics.frameSent(member.connection.sendFrame(frame));
          member.seq = slice.toSeq;
        }
      }
      if (page.events.length < limit) return true;
    }
  }

  private pause(member: Member): void {
    member.state = 'paused';
    this.clearBacklog(member);
    this.context.metrics.slowSockets.inc();
    this.hooks.paused(this, member.connection);
  }

  private sendBatch(member: Member, batch: EventBatch): void {
    const bytes = this.send(member.connection, {
      type: 'events',
      projectId: this.projectId,
      sessionId: this.sessionId,
      ...batch,
    });
    if (bytes > 0) member.seq = batch.toSeq;
  }

  private resync(connection: ClientConnection, reason: string): void {
    this.send(connection, { type: 'resync', projectId: this.projectId, sessionId: this.sessionId, reason });
  }

  private send(connection: ClientConnection, message: Parameters<ClientConnection['send']>[0]): number {
    const bytes = connection.send(message);
    this.context.metrics.frameSent(bytes);
    return bytes;
  }
}

/** A message that waits for the room to open or for a read of Postgres (`readBy`: that fill's number). */
interface Waiting {
  message: CommittedEventsNotice;
  readBy: number;
}

function sliceAfter(batch: EventBatch, seq: number): EventBatch {
  return { fromSeq: seq + 1, toSeq: batch.toSeq, events: batch.events.filter((event) => event.seq > seq) };
}

function isCommittedEvents(message: unknown): message is CommittedEventsNotice {
  if (typeof message !== 'object' || message === null) return false;
  const { fromSeq, toSeq, events } = message as Partial<CommittedEventsNotice>;
  return (
    Number.isInteger(fromSeq) &&
    Number.isInteger(toSeq) &&
    (events === undefined ||
      (Array.isArray(events) &&
        events.every((event) => typeof event === 'object' && event !== null && Number.isInteger(event.seq))))
  );
}
