// Client process of the fanout bench (forked by fanout.bench.ts): opens N sockets of one
// protocol, records when each seq first reaches each socket, and reports over IPC. Running
// the clients here keeps their parsing off the publisher's and the server's event loops.
import { WebSocket } from 'ws';
import { io, type Socket } from 'socket.io-client';
import { BENCH_ADMIN_KEY } from '../support/bench-utils.js';
import {
  Histogram,
  roomKey,
  wallNow,
  type Counters,
  type FromClients,
  type Room,
  type ToClients,
} from './protocol.js';

interface Tracked {
  room: string;
  /** Sends a client message (ws targets). */
  sendMessage?: (message: unknown) => void;
  /** Receive wall time per seq (0 = not yet); index = seq. */
  recv: Float64Array;
  up: boolean;
  /** Wall time of its (latest) `subscribed`. */
  subscribedAt: number;
  current: boolean;
  close: () => void;
}

/**
 * full (default): JSON.parse every frame, as a browser does. header: read only the seq range
 * of event frames (`"fromSeq":N,"toSeq":M` near the start), to measure delivery
 * without the parsing cost of a thousand clients sharing this machine's two cores. It applies
 * to the ws targets; socket.io-client always decodes its packets itself.
 */
const HEADER_ONLY = process.env.BENCH_FANOUT_CLIENT_PARSE === 'header';
const SEQ_RANGE = /"fromSeq":(\d+),"toSeq":(\d+)/;

const sockets: Tracked[] = [];
const counters: Counters = { sockets: 0, eventFrames: 0, heartbeats: 0, pings: 0, closed: 0, other: {} };
let capacity = 1024;
let duplicates = 0;
/** Set by `finish`: the last seq per room, and what to do when the last socket is current. */
let lastSeqs: Map<string, number> | null = null;
let pending = 0;
let onAllCurrent: (() => void) | null = null;

function send(message: FromClients): void {
  process.send?.(message);
}

/** A frame covering fromSeq..toSeq arrived at `at`: each seq counts as received then. */
function cover(socket: Tracked, fromSeq: number, toSeq: number, at: number): void {
  counters.eventFrames++;
  if (toSeq >= socket.recv.length) {
    const grown = new Float64Array(Math.max(toSeq + 1, socket.recv.length * 2));
    grown.set(socket.recv);
    socket.recv = grown;
  }
  const recv = socket.recv;
  for (let seq = fromSeq; seq <= toSeq; seq++) {
    // A seq keeps its first arrival; later coverage is a duplicate.
    if (recv[seq] === 0) recv[seq] = at;
    else duplicates++;
  }
  if (lastSeqs && !socket.current) markIfCurrent(socket);
}

function markIfCurrent(socket: Tracked): void {
  const last = lastSeqs!.get(socket.room) ?? Infinity;
  if (last < socket.recv.length && socket.recv[last] > 0) {
    socket.current = true;
    pending--;
    if (pending === 0) onAllCurrent?.();
  }
}

function other(kind: string): void {
  counters.other[kind] = (counters.other[kind] ?? 0) + 1;
}

/** Buildcast and the relay: JSON text frames; events frames carry fromSeq..toSeq. */
function connectWs(url: string, room: Room, deferred: boolean): Promise<Tracked> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (!deferred) {
      target.searchParams.set('projectId', room.projectId);
      target.searchParams.set('sessionId', room.sessionId);
      target.searchParams.set('since', '0');
    }
    // Buildcast's gateway authenticates the socket with it; the relay ignores it.
    const ws = new WebSocket(target, {
      perMessageDeflate: false,
      headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` },
    });
    const tracked: Tracked = {
      room: roomKey(room),
      recv: new Float64Array(capacity),
      up: false,
      subscribedAt: 0,
      current: false,
      close: () => ws.terminate(),
      sendMessage: (message) => ws.send(JSON.stringify(message)),
    };
    const timer = setTimeout(() => fail(new Error('no subscribed within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.on('message', (data: Buffer) => {
      const at = wallNow();
      if (HEADER_ONLY) {
        const range = SEQ_RANGE.exec(data.toString('latin1', 0, 256));
        if (range) return cover(tracked, Number(range[1]), Number(range[2]), at);
      }
      const message = JSON.parse(data.toString()) as { type?: string; fromSeq?: number; toSeq?: number };
      // The relay forwards the publisher's message as is (no `type`).
      if (message.type === 'events' || (message.type === undefined && message.toSeq !== undefined)) {
        cover(tracked, message.fromSeq!, message.toSeq!, at);
      } else if (message.type === 'heartbeat') counters.heartbeats++;
      else if (message.type === 'subscribed' || (message.type === 'authenticated' && deferred)) {
        if (message.type === 'subscribed') tracked.subscribedAt = at;
        clearTimeout(timer);
        tracked.up = true;
        resolve(tracked);
      } else if (message.type === 'authenticated') return;
      else if (message.type === 'error' && !tracked.up) fail(new Error(data.toString()));
      else other(message.type ?? 'unknown');
    });
    ws.on('ping', () => counters.pings++);
    ws.on('error', (error) => (tracked.up ? other(`error: ${error.message}`) : fail(error)));
    ws.on('close', (code) => {
      if (tracked.up) counters.closed++;
      else fail(new Error(`closed ${code} before subscribed`));
    });
  });
}

/** Socket.IO: one `event` message per event, joined to the room from the handshake query. */
function connectSocketIo(url: string, room: Room): Promise<Tracked> {
  return new Promise((resolve, reject) => {
    // websocket only: skip the long-polling handshake (what a tuned deployment does too);
    // forceNew so that every socket is its own connection.
    const socket: Socket = io(url, {
      transports: ['websocket'],
      query: { projectId: room.projectId, sessionId: room.sessionId },
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    const tracked: Tracked = {
      room: roomKey(room),
      recv: new Float64Array(capacity),
      up: false,
      subscribedAt: 0,
      current: false,
      close: () => socket.disconnect(),
    };
    socket.on('event', (event: { seq: number }) => cover(tracked, event.seq, event.seq, wallNow()));
    socket.io.on('ping', () => counters.pings++);
    socket.on('subscribed', () => {
      tracked.up = true;
      resolve(tracked);
    });
    socket.on('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
    socket.on('disconnect', () => {
      if (tracked.up) counters.closed++;
    });
  });
}

async function connectAll(message: Extract<ToClients, { type: 'connect' }>): Promise<void> {
  capacity = message.capacity + 1;
  const wanted = message.rooms.flatMap((room) => Array.from({ length: room.count }, () => room));
  const connect = (room: Room) =>
    message.protocol === 'ws'
      ? connectWs(message.url, room, message.deferred ?? false)
      : connectSocketIo(message.url, room);
  let failed = 0;
  const errors = new Set<string>();
  // Bounded concurrency: thousands of simultaneous handshakes only measure the accept queue.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(message.concurrency, wanted.length) }, async () => {
      while (next < wanted.length) {
        const room = wanted[next++];
        try {
          sockets.push(await connect(room));
        } catch (error) {
          failed++;
          if (errors.size < 5) errors.add(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  counters.sockets = sockets.length;
  send({ type: 'connected', sockets: sockets.length, failed, errors: [...errors] });
}

/** Deferred sockets subscribe to their slot's session now, from seq 0. */
function subscribeSlots(rooms: Record<string, Room>): void {
  let subscribing = 0;
  for (const socket of sockets) {
    const room = rooms[socket.room];
    if (!room || !socket.sendMessage) continue;
    socket.room = roomKey(room);
    socket.sendMessage({ type: 'subscribe', projectId: room.projectId, sessionId: room.sessionId, since: 0 });
    subscribing++;
  }
  send({ type: 'subscribing', sockets: subscribing });
}

async function finish(message: Extract<ToClients, { type: 'finish' }>): Promise<void> {
  lastSeqs = new Map(Object.entries(message.rooms).map(([key, room]) => [key, room.lastSeq]));
  pending = sockets.length;
  for (const socket of sockets) markIfCurrent(socket);
  if (pending > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, message.timeoutMs);
      onAllCurrent = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  onAllCurrent = null;
  // Latencies: every (socket, seq) pair against the seq's commit time.
  const histogram = new Histogram();
  let missing = 0;
  let lastCurrentAt = NaN;
  let currentSockets = 0;
  for (const socket of sockets) {
    const room = message.rooms[socket.room];
    for (let seq = 1; seq <= room.lastSeq; seq++) {
      const at = seq < socket.recv.length ? socket.recv[seq] : 0;
      if (at === 0) missing++;
      else if (!message.liveOnly || room.commitTimes[seq] >= socket.subscribedAt)
        histogram.add(at - room.commitTimes[seq]);
    }
    if (socket.current) {
      currentSockets++;
      const at = socket.recv[room.lastSeq];
      if (!(at <= lastCurrentAt)) lastCurrentAt = at;
    }
  }
  send({
    type: 'finished',
    ...counters,
    currentSockets,
    lastCurrentAt,
    duplicateSeqs: duplicates,
    missingSeqs: missing,
    histogram: histogram.entries(),
  });
}

process.on('message', (message: ToClients) => {
  const run = async () => {
    if (message.type === 'connect') await connectAll(message);
    else if (message.type === 'finish') await finish(message);
    else if (message.type === 'subscribe') subscribeSlots(message.rooms);
    else if (message.type === 'counters') send({ type: 'counters', ...counters });
    else if (message.type === 'close') {
      for (const socket of sockets) socket.close();
      setTimeout(() => process.exit(0), 200).unref();
      process.disconnect();
    }
  };
  run().catch((error: unknown) => {
    console.error('[clients]', error);
    process.exit(1);
  });
});
// The orchestrator went away (crash, Ctrl-C): don't linger with thousands of sockets.
process.on('disconnect', () => process.exit(0));
