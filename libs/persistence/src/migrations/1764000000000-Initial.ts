import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The initial schema; kept identical to the entities (a test asserts no pending difference). */
export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "projects" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_projects" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "build_sessions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "project_id" uuid NOT NULL,
        "status" text NOT NULL,
        "agent" text NOT NULL,
        "agent_id" text NOT NULL,
        "model" text,
        "project_name" text NOT NULL,
        "prompt" text,
        "progress_completed" integer NOT NULL DEFAULT 0,
        "progress_total" integer NOT NULL DEFAULT 0,
        "last_seq" integer NOT NULL DEFAULT 0,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "ended_at" TIMESTAMP WITH TIME ZONE,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "error" text,
        "usage" jsonb,
        CONSTRAINT "chk_build_sessions_status"
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        CONSTRAINT "pk_build_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "fk_build_sessions_project" FOREIGN KEY ("project_id")
          REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_build_sessions_project_created" ON "build_sessions" ("project_id", "created_at" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "build_events" (
        "session_id" uuid NOT NULL,
        "seq" integer NOT NULL,
        "type" text NOT NULL,
        "data" jsonb NOT NULL,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "pk_build_events" PRIMARY KEY ("session_id", "seq"),
        CONSTRAINT "fk_build_events_session" FOREIGN KEY ("session_id")
          REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(`
      CREATE TABLE "todos" (
        "session_id" uuid NOT NULL,
        "idx" integer NOT NULL,
        "content" text NOT NULL,
        "active_form" text NOT NULL,
        "status" text NOT NULL,
        CONSTRAINT "pk_todos" PRIMARY KEY ("session_id", "idx"),
        CONSTRAINT "fk_todos_session" FOREIGN KEY ("session_id")
          REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(`
      CREATE TABLE "tool_calls" (
        "session_id" uuid NOT NULL,
        "tool_call_id" text NOT NULL,
        "todo_index" integer,
        "name" text NOT NULL,
        "input" jsonb NOT NULL,
        "output" text,
        "is_error" boolean NOT NULL DEFAULT false,
        "output_truncated" boolean NOT NULL DEFAULT false,
        "status" text NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "ended_at" TIMESTAMP WITH TIME ZONE,
        "started_seq" integer NOT NULL,
        CONSTRAINT "chk_tool_calls_status" CHECK (status IN ('running', 'succeeded', 'failed')),
        CONSTRAINT "pk_tool_calls" PRIMARY KEY ("session_id", "tool_call_id"),
        CONSTRAINT "fk_tool_calls_session" FOREIGN KEY ("session_id")
          REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tool_calls"`);
    await queryRunner.query(`DROP TABLE "todos"`);
    await queryRunner.query(`DROP TABLE "build_events"`);
    await queryRunner.query(`DROP TABLE "build_sessions"`);
    await queryRunner.query(`DROP TABLE "projects"`);
  }
}
