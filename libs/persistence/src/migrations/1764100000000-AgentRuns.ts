import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live agents: a lease on the session row (which worker runs it, until when) so sessions of
 * dead workers can be found and interrupted, and the full text of shortened tool outputs.
 */
export class AgentRuns1764100000000 implements MigrationInterface {
  name = 'AgentRuns1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "build_sessions" ADD "worker_id" text`);
    await queryRunner.query(`ALTER TABLE "build_sessions" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
    // The sweeper's query: live sessions by lease expiry (a small partial index).
    await queryRunner.query(
      `CREATE INDEX "idx_build_sessions_running_lease" ON "build_sessions" ("lease_expires_at")
       WHERE status IN ('queued', 'running')`,
    );
    await queryRunner.query(`ALTER TABLE "tool_calls" ADD "full_output" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tool_calls" DROP COLUMN "full_output"`);
    await queryRunner.query(`DROP INDEX "idx_build_sessions_running_lease"`);
    await queryRunner.query(`ALTER TABLE "build_sessions" DROP COLUMN "lease_expires_at"`);
    await queryRunner.query(`ALTER TABLE "build_sessions" DROP COLUMN "worker_id"`);
  }
}
