import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The batch of a session's latest write (EventStore.append sets it, NULL for an append
 * without one): a runner-worker retrying a group whose COMMIT went through but whose answer
 * was lost finds its own id there and gets the earlier answer instead of appending the
 * events a second time (docs/architecture.md, Decisions).
 */
export class LastBatch1764720000000 implements MigrationInterface {
  name = 'LastBatch1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "build_sessions" ADD "last_batch_id" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "build_sessions" DROP COLUMN "last_batch_id"`);
  }
}
