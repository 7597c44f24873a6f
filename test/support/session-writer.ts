import type { INestApplication } from '@nestjs/common';
import type { AppendResult, NewBuildEvent, Snapshot } from '#contracts';
import { EventPublisher } from '#bus';
import type { DataSource } from 'typeorm';
import { BUILDCAST_DATA_SOURCE, BuildReadModel, EventStore } from '#persistence';
import { realisticEvents, take } from '../../bench/support/bench-utils.js';

/** The writer's stand-in for a runner-worker's id on the session row. */
const WRITER_ID = 'test-session-writer';
/** Longer than any test: the writer never renews its lease. */
const WRITER_LEASE_MS = 6 * 60 * 60 * 1000;

/**
 * Writes a session's events the way a runner-worker does (commit in Postgres, then publish),
 * with control over each publish: tests drop or delay them to prove the gateway fills gaps.
 * Like a worker it holds the session's lease, so that a stack's lease sweeper never takes the
 * session for one whose worker died (running without a live lease) and ends it `interrupted`
 * under the test.
 */
export class SessionWriter {
  private constructor(
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly readModel: BuildReadModel,
    readonly projectId: string,
    readonly sessionId: string,
  ) {}

  /**
   * A new project and queued session, written through `app`'s persistence and bus. The
   * session is inserted with the writer's lease already on it, so that no runner-worker of
   * the stack ever claims it (on the Postgres transport a queued session is a job).
   */
  static async create(app: INestApplication, name = 'gateway test'): Promise<SessionWriter> {
    const readModel = app.get(BuildReadModel);
    const project = await readModel.createProject(name);
    const [session] = await app.get<DataSource>(BUILDCAST_DATA_SOURCE).query<{ id: string }[]>(
      `INSERT INTO build_sessions (project_id, status, agent, agent_id, model, project_name, worker_id, lease_expires_at)
       SELECT p.id, 'queued', 'demo', 'demo', 'test-model', p.name, $2, clock_timestamp() + $3::int * interval '1 millisecond'
       FROM projects p WHERE p.id = $1 RETURNING id`,
      [project.id, WRITER_ID, WRITER_LEASE_MS],
    );
    if (!session) throw new Error('could not create a session');
    return new SessionWriter(app.get(EventStore), app.get(EventPublisher), readModel, project.id, session.id);
  }

  /** Commits `events` in one append; publishes unless told not to. */
  async append(events: NewBuildEvent[], options: { publish?: boolean } = {}): Promise<AppendResult> {
    const result = await this.store.append(this.sessionId, events);
    if (options.publish ?? true) await this.publisher.publishCommitted(result);
    return result;
  }

  snapshot(): Promise<Snapshot | null> {
    return this.readModel.getSnapshot(this.projectId, this.sessionId);
  }

  /** `count` realistic events, the first one `session.started` when `start` is set. */
  static events(
    count: number,
    options: { start?: boolean; prefix?: string; outputBytes?: number } = {},
  ): NewBuildEvent[] {
    const events: NewBuildEvent[] = options.start
      ? [
          {
            type: 'session.started',
            data: { agentId: 'demo', model: 'test-model', projectName: 'gateway test' },
          },
        ]
      : [];
    const padding = options.outputBytes ? 'x'.repeat(options.outputBytes) : '';
    for (const event of take(realisticEvents(options.prefix ?? 'call'), count - events.length)) {
      if (padding && event.type === 'tool.finished') event.data.output += padding;
      events.push(event);
    }
    return events;
  }

  static readonly finished: NewBuildEvent = { type: 'session.finished', data: { status: 'completed' } };
}

/** A snapshot with nothing applied yet: what a client that subscribes with since=0 folds into. */
export const unapplied = (snapshot: Snapshot): Snapshot => ({
  ...snapshot,
  seq: 0,
  todos: [],
  toolCalls: [],
  messages: [],
});
