// Comparator "socketio": what a Node team would pick. Socket.IO 4 with @socket.io/redis-adapter
// (so that several nodes can share rooms), an app-level subscriber on the session's Redis
// channel, and `io.to(room).emit('event', e)` per event: one frame per event per socket, and
// each emit also goes out through the adapter's Redis pub/sub. No persistence.
// Env: PORT, REDIS_URL, HEARTBEAT_MS (engine.io pingInterval, default 25 s like Socket.IO).
import http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { sessionChannel, type CommittedEventsMessage } from '#contracts';

const port = Number(process.env.PORT ?? 3102);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pubClient = new Redis(redisUrl);
const subClient = pubClient.duplicate();
const appSubscriber = new Redis(redisUrl);

const server = http.createServer((request, response) => {
  // Socket.IO answers its own path; everything else lands here.
  response.writeHead(request.url === '/health' ? 200 : 404).end();
});
const io = new Server(server, {
  adapter: createAdapter(pubClient, subClient),
  serveClient: false,
  pingInterval: Number(process.env.HEARTBEAT_MS ?? 25_000),
});

const roomOf = (projectId: string, sessionId: string) => `project:${projectId}:session:${sessionId}`;
/** Local watchers per channel, and the SUBSCRIBE in flight for it. */
const channels = new Map<string, { count: number; subscribed: Promise<unknown> }>();

appSubscriber.on('message', (_channel: string, raw: string) => {
  const message = JSON.parse(raw) as CommittedEventsMessage;
  const room = roomOf(message.projectId, message.sessionId);
  for (const event of message.events) io.to(room).emit('event', event);
});

io.on('connection', (socket) => {
  const { projectId, sessionId } = socket.handshake.query;
  if (typeof projectId !== 'string' || typeof sessionId !== 'string') {
    socket.disconnect(true);
    return;
  }
  const channel = sessionChannel(projectId, sessionId);
  let watched = channels.get(channel);
  if (!watched) {
    watched = { count: 0, subscribed: appSubscriber.subscribe(channel) };
    channels.set(channel, watched);
  }
  watched.count++;
  const joined = watched;
  void socket.join(roomOf(projectId, sessionId));
  void joined.subscribed.then(() => socket.emit('subscribed', { projectId, sessionId }));
  socket.on('disconnect', () => {
    if (--joined.count === 0 && channels.get(channel) === joined) {
      channels.delete(channel);
      void appSubscriber.unsubscribe(channel);
    }
  });
});

server.listen(port, '127.0.0.1');
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
