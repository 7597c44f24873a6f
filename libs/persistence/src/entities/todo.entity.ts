import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { BuildSessionEntity } from './build-session.entity.js';

/** The current todo list of a session (replaced as a whole by each todos.updated). */
@Entity('todos')
export class TodoEntity {
  @ForeignKey(() => BuildSessionEntity, { name: 'fk_todos_session', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'session_id', type: 'uuid', primaryKeyConstraintName: 'pk_todos' })
  sessionId!: string;

  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_todos' })
  idx!: number;

  @Column({ type: 'text' })
  content!: string;

  @Column({ name: 'active_form', type: 'text' })
  activeForm!: string;

  @Column({ type: 'text' })
  status!: string;
}
