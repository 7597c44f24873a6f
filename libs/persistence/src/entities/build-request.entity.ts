import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { BuildSessionEntity } from './build-session.entity.js';

/**
 * What a build was asked to run, stored with its queued session so that a job carries only
 * ids (Redis holds no transcript) and a lost job can be queued again. A table of its own:
 * transcripts reach 20 MB, and the hot session queries never read this one.
 */
@Entity('build_requests')
export class BuildRequestEntity {
  @ForeignKey(() => BuildSessionEntity, { name: 'fk_build_requests_session', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'session_id', type: 'uuid', primaryKeyConstraintName: 'pk_build_requests' })
  sessionId!: string;

  @Column({ type: 'text', nullable: true })
  format!: string | null;

  @Column({ type: 'text', nullable: true })
  transcript!: string | null;

  @Column({ name: 'event_interval_ms', type: 'int', nullable: true })
  eventIntervalMs!: number | null;
}
