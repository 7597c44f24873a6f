import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns that hold what agents print: large values, compressed when TOASTed. */
const AGENT_OUTPUT_COLUMNS: Record<string, string[]> = {
  build_events: ['data'],
  tool_calls: ['input', 'output', 'full_output'],
};

/**
 * Cheaper appends (issue 10; measured in docs/benchmarks.md, reasons in docs/architecture.md):
 * - The log tables lose their foreign keys to build_sessions. Postgres checks a foreign key
 *   with one query per inserted row (400 per group-committed append), and every row the log
 *   gains is written by EventStore.append, which holds the session's row lock (FOR UPDATE)
 *   from before its inserts to its commit: the session exists and cannot be deleted
 *   meanwhile. A trigger keeps ON DELETE CASCADE: a deleted session takes its rows along.
 * - The agents' outputs are compressed with lz4 instead of pglz where the server has lz4
 *   (Debian's Postgres does; the embedded Postgres 18 does not, and keeps pglz). Only new
 *   values are compressed so; both read alike.
 */
export class IngestStorage1764700000000 implements MigrationInterface {
  name = 'IngestStorage1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "build_events" DROP CONSTRAINT "fk_build_events_session"`);
    await queryRunner.query(`ALTER TABLE "tool_calls" DROP CONSTRAINT "fk_tool_calls_session"`);
    await queryRunner.query(`
      CREATE FUNCTION "delete_session_log"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM "build_events" WHERE "session_id" = OLD."id";
        DELETE FROM "tool_calls" WHERE "session_id" = OLD."id";
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "trg_build_sessions_delete_log" AFTER DELETE ON "build_sessions"
      FOR EACH ROW EXECUTE FUNCTION "delete_session_log"()`);
    if (await hasLz4(queryRunner)) await setCompression(queryRunner, 'lz4');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await setCompression(queryRunner, 'default');
    await queryRunner.query(`DROP TRIGGER "trg_build_sessions_delete_log" ON "build_sessions"`);
    await queryRunner.query(`DROP FUNCTION "delete_session_log"()`);
    await queryRunner.query(
      `ALTER TABLE "tool_calls" ADD CONSTRAINT "fk_tool_calls_session" FOREIGN KEY ("session_id")
       REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "build_events" ADD CONSTRAINT "fk_build_events_session" FOREIGN KEY ("session_id")
       REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}

/** Whether this server was built with lz4 (it then lists lz4 among the TOAST compressions). */
async function hasLz4(queryRunner: QueryRunner): Promise<boolean> {
  const [row] = (await queryRunner.query(
    `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
  )) as { lz4: boolean }[];
  return row?.lz4 === true;
}

async function setCompression(queryRunner: QueryRunner, method: 'lz4' | 'default'): Promise<void> {
  for (const [table, columns] of Object.entries(AGENT_OUTPUT_COLUMNS)) {
    const alterations = columns.map((column) => `ALTER COLUMN "${column}" SET COMPRESSION ${method}`);
    await queryRunner.query(`ALTER TABLE "${table}" ${alterations.join(', ')}`);
  }
}
