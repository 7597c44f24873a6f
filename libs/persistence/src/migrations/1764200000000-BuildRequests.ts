import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Build requests in Postgres, beside their session: jobs in Redis carry only ids (issue 15,
 * item 7), and a queued session whose job Redis lost can be queued again (item 5).
 */
export class BuildRequests1764200000000 implements MigrationInterface {
  name = 'BuildRequests1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "build_requests" (
        "session_id" uuid NOT NULL,
        "format" text,
        "transcript" text,
        "event_interval_ms" integer,
        CONSTRAINT "pk_build_requests" PRIMARY KEY ("session_id"),
        CONSTRAINT "fk_build_requests_session" FOREIGN KEY ("session_id")
          REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "build_requests"`);
  }
}
