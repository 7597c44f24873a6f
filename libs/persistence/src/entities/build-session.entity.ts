import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ProjectEntity } from './project.entity.js';

// TypeORM cannot declare a DESC column in an index; the migration creates it as written.
@Index('idx_build_sessions_project_created', { synchronize: false })
@Index('idx_build_sessions_running_lease', { synchronize: false })
@Check(
  'chk_build_sessions_status',
  `status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')`,
)
@Entity('build_sessions')
export class BuildSessionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_build_sessions' })
  id!: string;

  @ForeignKey(() => ProjectEntity, { name: 'fk_build_sessions_project', onDelete: 'CASCADE' })
  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ type: 'text' })
  status!: string;

  /** The runner kind (demo, replay, …). */
  @Column({ type: 'text' })
  agent!: string;

  @Column({ name: 'agent_id', type: 'text' })
  agentId!: string;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'project_name', type: 'text' })
  projectName!: string;

  @Column({ type: 'text', nullable: true })
  prompt!: string | null;

  @Column({ name: 'progress_completed', type: 'int', default: 0 })
  progressCompleted!: number;

  @Column({ name: 'progress_total', type: 'int', default: 0 })
  progressTotal!: number;

  @Column({ name: 'last_seq', type: 'int', default: 0 })
  lastSeq!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  usage!: Record<string, unknown> | null;

  /** The runner-worker that holds the build, while it runs. */
  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  /** A running session whose lease has expired lost its worker: the sweeper interrupts it. */
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** The batch of the latest write (NULL: an append without one): a retry's repeat check. */
  @Column({ name: 'last_batch_id', type: 'uuid', nullable: true })
  lastBatchId!: string | null;
}
