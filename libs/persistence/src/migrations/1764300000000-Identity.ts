import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity and access (issue 16): API keys (only a hash of the secret), the web app's
 * sign-ins, the subscription-token secret shared by replicas, and who did what to a build.
 */
export class Identity1764300000000 implements MigrationInterface {
  name = 'Identity1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "secret_hash" text NOT NULL,
        "scopes" text[] NOT NULL,
        "project_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz,
        "revoked_at" timestamptz,
        CONSTRAINT "pk_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "uq_api_keys_prefix" UNIQUE ("prefix"),
        CONSTRAINT "fk_api_keys_project" FOREIGN KEY ("project_id")
          REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(`
      CREATE TABLE "web_sessions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "secret_hash" text NOT NULL,
        "key_id" uuid,
        "admin_key_digest" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_web_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "uq_web_sessions_secret" UNIQUE ("secret_hash"),
        CONSTRAINT "fk_web_sessions_key" FOREIGN KEY ("key_id")
          REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE NO ACTION,
        CONSTRAINT "ck_web_sessions_key" CHECK (("key_id" IS NULL) <> ("admin_key_digest" IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE "identity_settings" (
        "name" text NOT NULL,
        "value" text NOT NULL,
        CONSTRAINT "pk_identity_settings" PRIMARY KEY ("name")
      )`);
    await queryRunner.query(`
      CREATE TABLE "build_audit" (
        "id" bigserial NOT NULL,
        "session_id" uuid NOT NULL,
        "action" text NOT NULL,
        "key_id" uuid,
        "key_name" text NOT NULL,
        "key_prefix" text,
        "at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_build_audit" PRIMARY KEY ("id"),
        CONSTRAINT "fk_build_audit_session" FOREIGN KEY ("session_id")
          REFERENCES "build_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(`CREATE INDEX "ix_build_audit_session" ON "build_audit" ("session_id", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "build_audit"`);
    await queryRunner.query(`DROP TABLE "identity_settings"`);
    await queryRunner.query(`DROP TABLE "web_sessions"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
