import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External runners (issue 14): each `POST …/events` sent with an `Idempotency-Key` is kept
 * with the range it appended, written in the append's own transaction, so that a retry of the
 * same batch is answered from here instead of being appended twice.
 */
export class IngestRequests1764600000000 implements MigrationInterface {
  name = 'IngestRequests1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ingest_requests" (
        "session_id" uuid NOT NULL REFERENCES "build_sessions"("id") ON DELETE CASCADE,
        "key" text NOT NULL,
        "body_hash" text NOT NULL,
        "from_seq" integer NOT NULL,
        "to_seq" integer NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("session_id", "key")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ingest_requests"`);
  }
}
