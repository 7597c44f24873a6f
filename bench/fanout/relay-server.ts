// Comparator "relay": the floor. Bare `ws` + one ioredis subscriber; SUBSCRIBE a session
// channel while a local socket watches it, and forward every Redis message (one event each)
// as its own frame to the room, byte for byte: no parsing, no persistence, no coalescing.
// Env: PORT, REDIS_URL, HEARTBEAT_MS (ws ping interval, default 30 s).
import http from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { sessionChannel } from '#contracts';

const port = Number(process.env.PORT ?? 3101);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 30_000);
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

interface RoomState {
  sockets: Set<WebSocket>;
  subscribed: Promise<unknown>;
}
const rooms = new Map<string, RoomState>();

const server = http.createServer((request, response) => {
  response.writeHead(request.url === '/health' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server, path: '/ws' });

// messageBuffer: the payload stays a Buffer, so each send is a write, not an encode.
subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
  const room = rooms.get(channel.toString());
  if (!room) return;
  for (const socket of room.sockets) socket.send(message, { binary: false });
});

wss.on('connection', (socket, request) => {
  const query = new URL(request.url ?? '/', 'http://relay').searchParams;
  const projectId = query.get('projectId');
  const sessionId = query.get('sessionId');
  if (!projectId || !sessionId) return socket.close(4400, 'projectId and sessionId required');
  const channel = sessionChannel(projectId, sessionId);
  let room = rooms.get(channel);
  if (!room) {
    room = { sockets: new Set(), subscribed: subscriber.subscribe(channel) };
    rooms.set(channel, room);
  }
  room.sockets.add(socket);
  const joined = room;
  void joined.subscribed.then(() =>
    socket.send(JSON.stringify({ type: 'subscribed', projectId, sessionId })),
  );
  alive.add(socket);
  socket.on('pong', () => alive.add(socket));
  socket.on('close', () => {
    joined.sockets.delete(socket);
    if (joined.sockets.size === 0 && rooms.get(channel) === joined) {
      rooms.delete(channel);
      void subscriber.unsubscribe(channel);
    }
  });
});

// The usual ws keep-alive: ping everyone, terminate whoever missed the previous ping.
const alive = new WeakSet<WebSocket>();
setInterval(() => {
  for (const socket of wss.clients) {
    if (!alive.has(socket)) {
      socket.terminate();
      continue;
    }
    alive.delete(socket);
    socket.ping();
  }
}, heartbeatMs).unref();

server.listen(port, '127.0.0.1');
// Forked by the bench: exit with it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
