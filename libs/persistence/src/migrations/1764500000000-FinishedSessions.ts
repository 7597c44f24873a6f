import type { MigrationInterface, QueryRunner } from 'typeorm';

const FINISHED = `('completed', 'failed', 'cancelled', 'interrupted')`;

/**
 * Finished sessions and the web app (contract v2): a tool call the session finished without
 * a result is `aborted` (those of sessions finished before are closed here, at their
 * session's end), and the snapshot lists the agent's messages from the log (a small partial
 * index finds them without reading the session's other events).
 */
export class FinishedSessions1764500000000 implements MigrationInterface {
  name = 'FinishedSessions1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tool_calls" DROP CONSTRAINT "chk_tool_calls_status"`);
    await queryRunner.query(
      `ALTER TABLE "tool_calls" ADD CONSTRAINT "chk_tool_calls_status"
       CHECK (status IN ('running', 'succeeded', 'failed', 'aborted'))`,
    );
    await queryRunner.query(
      `UPDATE "tool_calls" c SET status = 'aborted', ended_at = s.ended_at
       FROM "build_sessions" s
       WHERE c.session_id = s.id AND c.status = 'running' AND s.status IN ${FINISHED}`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_build_events_messages" ON "build_events" ("session_id", "seq") WHERE type = 'message'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_build_events_messages"`);
    await queryRunner.query(
      `UPDATE "tool_calls" SET status = 'running', ended_at = NULL WHERE status = 'aborted'`,
    );
    await queryRunner.query(`ALTER TABLE "tool_calls" DROP CONSTRAINT "chk_tool_calls_status"`);
    await queryRunner.query(
      `ALTER TABLE "tool_calls" ADD CONSTRAINT "chk_tool_calls_status" CHECK (status IN ('running', 'succeeded', 'failed'))`,
    );
  }
}
