import { isFinishedStatus, sessionChannel, type BuildEvent, type CommittedEventsNotice } from '#contracts';
import type { EventsAfterResult } from '#persistence';
import { catchUpPageEvents, frameBudget } from '../coalescing/byte-slices.js';
import { Coalescer, type EventBatch } from '../coalescing/coalescer.js';
import { FrameEncoder, type EventFrame } from '../coalescing/frame-encoder.js';
import type { ClientConnection } from '../connections/client-connection.js';
import { FrameHistory } from '../sequencing/frame-history.js';
import { MemberCursor } from '../sequencing/member-cursor.js';
import { Sequencer, type SequencerStep } from '../sequencing/sequencer.js';
import { DeliveryTraces, type SendOutcome } from '../tracing/delivery-traces.js';
import { CATCH_UP_PAGE, sessionRoomKey, type RoomContext, type RoomHooks } from './room-context.js';
import type { Room } from './room.js';

/** One socket in a session room, and where it is in the log. */
interface Member {
  readonly connection: ClientConnection;
  readonly cursor: MemberCursor;
}

export type JoinOutcome = 'joined' | 'not-found' | 'resync' | 'gone';

/**
 * `project:{p}:session:{s}`: the sockets watching one build. The room's Sequencer keeps it
 * gap-free in the log (a published message that does not continue it sends the room to
 * Postgres for the missing range first); the Coalescer merges what it takes into batches;
 * the FrameEncoder serializes each batch once; each socket's MemberCursor says what it gets;
 * the FrameHistory keeps the latest frames, so a socket behind is caught up from them and
 * Postgres is read once for all the sockets that need older seqs. Redis is only a doorbell
 * that usually carries the payload; Postgres is the truth.
 */
export class SessionRoom implements Room {
  readonly key: string;
  readonly kind = 'session';
  readonly channel: string;
  private readonly members = new Map<ClientConnection, Member>();
  private readonly sequencer = new Sequencer();
  private readonly coalescer: Coalescer;
  private readonly encoder: FrameEncoder;
  private readonly traces: DeliveryTraces;
  private readonly history: FrameHistory;
  /** Catch-up reads of Postgres in flight, by `after:limit`: sockets that need the same page share it. */
  private readonly pageReads = new Map<string, Promise<EventsAfterResult | null>>();
  /** Highest seq flushed to members. */
  private flushedSeq = 0;
  private finished = false;
  private ready: Promise<void> | undefined;
  private joining = 0;
  /** Whether the session exists in this project (read when the room opened). */
  private exists = false;
  private leaveChannel: (() => Promise<void>) | undefined;
  private closed = false;
  /** Bytes of events one frame may carry (see frameBudget). */
  private readonly budget: number;

  constructor(
    readonly projectId: string,
    readonly sessionId: string,
    private readonly context: RoomContext,
    private readonly hooks: RoomHooks,
  ) {
    this.key = sessionRoomKey(projectId, sessionId);
    this.channel = sessionChannel(projectId, sessionId);
    this.budget = frameBudget(context.config.maxBufferedBytes);
    this.encoder = new FrameEncoder(projectId, sessionId, this.budget);
    this.traces = new DeliveryTraces(sessionId);
    this.history = new FrameHistory(context.config.roomHistoryBytes);
    this.coalescer = new Coalescer(
      { windowMs: context.config.coalesceMs, quietMs: context.config.coalesceQuietMs },
      (batch) => this.broadcast(batch),
    );
  }

  get size(): number {
    return this.members.size + this.joining;
  }

  get unfinishedSession(): Room['unfinishedSession'] {
    return this.finished ? undefined : { sessionId: this.sessionId, position: this.sequencer.lastSeq };
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
      this.flushedSeq = page?.latestSeq ?? 0;
      this.history.reset(this.flushedSeq);
      this.finished = page !== null && isFinishedStatus(page.status);
      this.run(this.sequencer.open(this.flushedSeq));
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
    let latestSeq = this.sequencer.lastSeq;
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
      cursor: new MemberCursor(since ?? this.flushedSeq, this.context.config.maxBufferedBytes),
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
    if (member.cursor.seq < this.flushedSeq) void this.catchUp(member);
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
    this.traces.received(message, this.flushedSeq);
    this.run(this.sequencer.receive(message));
  }

  /** Reads whatever Postgres has beyond the room's position (after a Redis reconnect or an audit). */
  recover(): void {
    if (!this.closed && this.sequencer.beginRead()) void this.read();
  }

  flush(): void {
    this.coalescer.flush();
  }

  /** A paused socket drained: send it everything it missed in one catch-up. */
  resume(connection: ClientConnection): void {
    const member = this.members.get(connection);
    if (member?.cursor.state !== 'paused') return;
    if (this.sequencer.lastSeq - member.cursor.seq > this.context.config.maxLagEvents) {
      this.expel(connection);
      this.resync(connection, 'the socket fell too far behind while it was not reading');
      return;
    }
    void this.catchUp(member);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.coalescer.dispose();
    this.traces.close();
    for (const member of this.members.values()) {
      member.connection.rooms.delete(this.key);
    }
    this.members.clear();
    await this.leaveChannel?.();
  }

  /** Does what the sequencer decided, in order. */
  private run(steps: SequencerStep[]): void {
    for (const step of steps) {
      if (step.kind === 'events') this.accept(step.events, 'redis');
      else if (step.kind === 'read') void this.read();
      else {
        this.context.logger.warn(
          `${this.key}: seqs ${step.fromSeq}..${step.toSeq} are not readable yet; the audit will retry`,
        );
      }
    }
  }

  private accept(events: BuildEvent[], source: 'redis' | 'database'): void {
    if (events.some((event) => event.type === 'session.finished')) this.finished = true;
    this.context.metrics.eventsIn.inc({ source }, events.length);
    this.coalescer.push(events);
  }

  /**
   * The read the sequencer began: the log from its position to its end, then the messages
   * that waited for it.
   */
  private async read(): Promise<void> {
    // A closed room reads nothing more (and takes in nothing more).
    if (this.closed) return;
    try {
      for (;;) {
        const page = await this.context.readModel.eventsAfter(
          this.projectId,
          this.sessionId,
          this.sequencer.lastSeq,
          CATCH_UP_PAGE,
        );
        if (this.closed || !page || page.events.length === 0) break;
        const fresh = this.sequencer.readPage(page.events);
        if (fresh.length > 0) this.accept(fresh, 'database');
        if (page.events.length < CATCH_UP_PAGE) break;
      }
    } catch (error) {
      this.context.logger.warn(`Catching ${this.key} up from Postgres failed: ${(error as Error).message}`);
    }
    this.run(this.sequencer.readEnded());
  }

  /** The coalescer's output: the same frames, serialized once, for every live socket. */
  private broadcast(batch: EventBatch): void {
    this.flushedSeq = batch.toSeq;
    this.traces.send(batch.fromSeq, batch.toSeq, () => {
      const outcome: SendOutcome = { frames: 0, sockets: 0, bytes: 0 };
      for (const frame of this.encoder.encode(batch)) {
        this.history.append(frame);
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
        outcome.frames += 1;
        outcome.sockets = Math.max(outcome.sockets, sockets);
        outcome.bytes += frame.frame.length * sockets;
      }
      return outcome;
    });
  }

  /** Sends a frame to one member if it continues that member's seq; true when sent as is. */
  private deliver(member: Member, frame: EventFrame): boolean {
    const offer = member.cursor.offer(frame);
    if (offer === 'held' || offer === 'skip') return false;
    if (offer === 'gap') {
      void this.catchUp(member);
      return false;
    }
    if (!member.connection.canQueue(frame.frame.length)) {
      this.pause(member);
      return false;
    }
    if (offer === 'whole') {
      member.connection.sendFrame(frame.frame);
      member.cursor.sent(frame.batch.toSeq);
      return true;
    }
    this.sendBatch(member, sliceAfter(frame.batch, member.cursor.seq));
    return false;
  }

  /**
   * Replays seq > the member's from Postgres to one socket, then the frames that were
   * flushed meanwhile, then it is live again. Runs at most once per member at a time.
   */
  private async catchUp(member: Member): Promise<void> {
    const { cursor } = member;
    if (!cursor.beginCatchUp()) return;
    const stillHere = () => this.members.get(member.connection) === member && member.connection.isOpen;
    try {
      do {
        cursor.startReading();
        if (!(await member.connection.oneAtATime(() => this.replay(member, stillHere)))) return;
      } while (cursor.mustReadAgain);
      // Frames flushed while Postgres was read: skip what it has, send the rest.
      for (const frame of cursor.goLive()) {
        if (cursor.state !== 'live') break;
        this.deliver(member, frame);
      }
    } catch (error) {
      this.context.logger.warn(`Catch-up of a socket in ${this.key} failed: ${(error as Error).message}`);
      if (stillHere()) {
        this.expel(member.connection);
        this.resync(member.connection, 'the gateway could not read the missing events');
      }
    } finally {
      cursor.endCatchUp();
    }
  }

  /**
   * Sends one member the log after its seq: from the room's FrameHistory, and what is older
   * than the history from Postgres, in pages shared with the other sockets reading them and
   * kept in the history for the next ones, up to the seq the room flushed (later seqs come as
   * the room's next frames, which wait in the member's backlog). Asks its socket before every
   * frame. False when the member stops here: it left, the session is gone, or its socket is
   * backed up (it is paused and resumes from its seq once drained; the rest is dropped, not
   * queued).
   */
  private async replay(member: Member, stillHere: () => boolean): Promise<boolean> {
    const { connection, cursor } = member;
    // The frames this replay read from Postgres (the newest, up to the history's size): once
    // they reach the history, they join it.
    let read: readonly EventFrame[] = [];
    for (;;) {
      if (!stillHere()) return false;
      // Another room may have filled the buffer while this one waited its turn: read nothing.
      if (!connection.canQueue(this.budget)) {
        this.pause(member);
        return false;
      }
      const kept = this.history.after(cursor.seq);
      if (kept) {
        const from = cursor.seq;
        const sent = this.sendFrames(member, kept);
        // Counted when the history sent something: a read from Postgres that reached it ends
        // here with nothing left to send.
        if (cursor.seq > from) this.context.metrics.catchUpReads.inc({ source: 'history' });
        return sent;
      }
      const limit = catchUpPageEvents(
        this.context.config.maxBufferedBytes,
        this.encoder.averageEventBytes,
        CATCH_UP_PAGE,
      );
      const page = await this.readPage(cursor.seq, limit);
      if (!stillHere()) return false;
      if (!page) {
        this.expel(connection);
        this.send(connection, {
          type: 'error',
          code: 'not_found',
          message: 'The session no longer exists',
          projectId: this.projectId,
          sessionId: this.sessionId,
        });
        return false;
      }
      // Another socket's share of this read may have filled the history meanwhile.
      if (this.history.after(cursor.seq)) continue;
      const firstKept = this.history.firstSeq;
      const fresh = page.events.filter((event) => event.seq > cursor.seq && event.seq < firstKept);
      if (fresh.length > 0) {
        const frames = this.encoder.encode({
          fromSeq: cursor.seq + 1,
          toSeq: fresh[fresh.length - 1].seq,
          events: fresh,
        });
        read = this.history.prependRead(read, frames);
        if (!this.sendFrames(member, frames)) return false;
      }
      if (this.history.after(cursor.seq) === undefined && page.events.length < limit) return true;
    }
  }

  /**
   * Sends one member, in seq order, the frames after its seq (the first may start before it:
   * it gets the rest of that one). False when its socket backed up: it is paused.
   */
  private sendFrames(member: Member, frames: readonly EventFrame[]): boolean {
    const { connection, cursor } = member;
    for (const { batch, frame } of frames) {
      if (batch.toSeq <= cursor.seq) continue;
      // Never past a gap: the member's next frame sends it back to Postgres for it.
      if (batch.fromSeq > cursor.seq + 1) break;
      if (!connection.canQueue(frame.length)) {
        this.pause(member);
        return false;
      }
      if (batch.fromSeq === cursor.seq + 1) {
        this.context.metrics.frameSent(connection.sendFrame(frame));
        cursor.sent(batch.toSeq);
      } else {
        this.sendBatch(member, sliceAfter(batch, cursor.seq));
      }
    }
    return true;
  }

  /** One read of Postgres for every socket that needs the same page at once. */
  private readPage(after: number, limit: number): Promise<EventsAfterResult | null> {
    const key = `${after}:${limit}`;
    let read = this.pageReads.get(key);
    if (read === undefined) {
      this.context.metrics.catchUpReads.inc({ source: 'database' });
      read = this.context.readModel
        .eventsAfter(this.projectId, this.sessionId, after, limit)
        .finally(() => this.pageReads.delete(key));
      this.pageReads.set(key, read);
    }
    return read;
  }

  private pause(member: Member): void {
    member.cursor.pause();
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
    if (bytes > 0) member.cursor.sent(batch.toSeq);
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
