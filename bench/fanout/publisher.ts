// The publishing side of the fanout bench, in the orchestrator process (clients run
// elsewhere). `commit` returns the seq and the wall time at which the event counts as
// committed; latency is measured from there to each client's receive time.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { loadConfig } from '#config';
import { sessionChannel, type CommittedEventsMessage, type NewBuildEvent } from '#contracts';
import { EventPublisher, RedisChannelPublisher, RedisService } from '#bus';
import { BuildReadModel, EventStore } from '#persistence';
import { wallNow, type Room } from './protocol.js';

export interface Commit {
  fromSeq: number;
  toSeq: number;
  committedAt: number;
}

export interface Publisher {
  createRooms(count: number): Promise<Room[]>;
  /** Commit `events` to the room (one append / one message each call), then publish. */
  commit(room: Room, events: NewBuildEvent[]): Promise<Commit>;
  close(): Promise<void>;
}

/**
 * Comparators: no persistence, so "commit" is the moment before PUBLISH. One event per
 * message, in the gateway's message shape (a one-seq range), seqs counted here.
 */
export class RedisPublisher implements Publisher {
  private readonly redis: Redis;
  private readonly seqs = new Map<string, number>();

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl);
  }

  createRooms(count: number): Promise<Room[]> {
    const projectId = randomUUID();
    return Promise.resolve(Array.from({ length: count }, () => ({ projectId, sessionId: randomUUID() })));
  }

  async commit(room: Room, events: NewBuildEvent[]): Promise<Commit> {
    const channel = sessionChannel(room.projectId, room.sessionId);
    const first = (this.seqs.get(channel) ?? 0) + 1;
    this.seqs.set(channel, first + events.length - 1);
    const at = new Date().toISOString();
    const committedAt = wallNow();
    // One message (and so one frame at the comparator) per event.
    await Promise.all(
      events.map((event, index) => {
        const seq = first + index;
        const message: CommittedEventsMessage = {
          ...room,
          fromSeq: seq,
          toSeq: seq,
          events: [{ seq, ...event, at }],
        };
        return this.redis.publish(channel, JSON.stringify(message));
      }),
    );
    return { fromSeq: first, toSeq: first + events.length - 1, committedAt };
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/**
 * Buildcast: EventStore.append (a real Postgres transaction), the commit time taken when it
 * resolves, then EventPublisher.publishCommitted — exactly what a runner does per append.
 */
export class BuildcastPublisher implements Publisher {
  private readonly redis: RedisService;
  private readonly store: EventStore;
  private readonly readModel: BuildReadModel;
  private readonly publisher: EventPublisher;

  constructor(dataSource: DataSource, databaseUrl: string, redisUrl: string) {
    this.redis = new RedisService(loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }));
    this.store = new EventStore(dataSource);
    this.readModel = new BuildReadModel(dataSource);
    this.publisher = new EventPublisher(new RedisChannelPublisher(this.redis));
  }

  async createRooms(count: number): Promise<Room[]> {
    await this.redis.onModuleInit(); // connected before the first publish (the client has no offline queue)
    const project = await this.readModel.createProject('fanout bench');
    const rooms: Room[] = [];
    // Sequential: a few hundred inserts at most, and the pool is shared with nothing yet.
    for (let i = 0; i < count; i++) {
      const session = await this.readModel.createQueuedSession({
        projectId: project.id,
        agent: 'demo',
        agentId: 'bench',
        model: null,
        prompt: null,
      });
      rooms.push({ projectId: project.id, sessionId: session!.id });
    }
    return rooms;
  }

  async commit(room: Room, events: NewBuildEvent[]): Promise<Commit> {
    const appended = await this.store.append(room.sessionId, events);
    const committedAt = wallNow();
    await this.publisher.publishCommitted(appended);
    if (appended.events.length !== events.length) {
      throw new Error(`append accepted ${appended.events.length} of ${events.length} events`);
    }
    return { fromSeq: appended.fromSeq, toSeq: appended.toSeq, committedAt };
  }

  async close(): Promise<void> {
    await this.redis.onApplicationShutdown();
  }
}

/**
 * Diagnostic (target `buildcast-redis`): the Buildcast gateway fed exactly like the
 * comparators. The sessions exist in Postgres (the gateway checks them on subscribe) but
 * events are only published, never committed: what the gateway itself costs, without the
 * commit load sharing the machine. Not a way to run Buildcast.
 */
export class UnpersistedPublisher implements Publisher {
  constructor(
    private readonly sessions: Publisher,
    private readonly messages: RedisPublisher,
  ) {}

  createRooms(count: number): Promise<Room[]> {
    return this.sessions.createRooms(count);
  }

  commit(room: Room, events: NewBuildEvent[]): Promise<Commit> {
    return this.messages.commit(room, events);
  }

  close(): Promise<void> {
    return this.messages.close();
  }
}
