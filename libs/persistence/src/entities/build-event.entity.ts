import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The log: one row per committed event, addressed by (session, seq). */
// The snapshot's messages (a partial index, made by the FinishedSessions migration).
@Index('idx_build_events_messages', { synchronize: false })
@Entity('build_events')
export class BuildEventEntity {
  // No foreign key (IngestStorage migration): the append holds the session's row lock, and a
  // trigger on build_sessions deletes a session's rows with it.
  @PrimaryColumn({ name: 'session_id', type: 'uuid', primaryKeyConstraintName: 'pk_build_events' })
  sessionId!: string;

  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_build_events' })
  seq!: number;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  data!: unknown;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
