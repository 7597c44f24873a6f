import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** One tool call of a session; listed in the order of `started_seq`. */
@Check('chk_tool_calls_status', `status IN ('running', 'succeeded', 'failed', 'aborted')`)
@Entity('tool_calls')
export class ToolCallEntity {
  // No foreign key (IngestStorage migration): the append holds the session's row lock, and a
  // trigger on build_sessions deletes a session's rows with it.
  @PrimaryColumn({ name: 'session_id', type: 'uuid', primaryKeyConstraintName: 'pk_tool_calls' })
  sessionId!: string;

  @PrimaryColumn({ name: 'tool_call_id', type: 'text', primaryKeyConstraintName: 'pk_tool_calls' })
  toolCallId!: string;

  @Column({ name: 'todo_index', type: 'int', nullable: true })
  todoIndex!: number | null;

  /** The sub-agent call (Agent / Task) this call was made in; null for the main agent's calls. */
  @Column({ name: 'parent_tool_call_id', type: 'text', nullable: true })
  parentToolCallId!: string | null;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  input!: unknown;

  @Column({ type: 'text', nullable: true })
  output!: string | null;

  @Column({ name: 'is_error', type: 'boolean', default: false })
  isError!: boolean;

  @Column({ name: 'output_truncated', type: 'boolean', default: false })
  outputTruncated!: boolean;

  /** The whole output when `output` holds a shortened copy (else null). */
  @Column({ name: 'full_output', type: 'text', nullable: true })
  fullOutput!: string | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** The seq of the tool.started event: the listing order. */
  @Column({ name: 'started_seq', type: 'int' })
  startedSeq!: number;
}
