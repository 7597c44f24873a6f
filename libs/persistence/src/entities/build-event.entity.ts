import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { BuildSessionEntity } from './build-session.entity.js';

/** The log: one row per committed event, addressed by (session, seq). */
// The snapshot's messages (a partial index, made by the FinishedSessions migration).
@Index('idx_build_events_messages', { synchronize: false })
@Entity('build_events')
export class BuildEventEntity {
  @ForeignKey(() => BuildSessionEntity, { name: 'fk_build_events_session', onDelete: 'CASCADE' })
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
