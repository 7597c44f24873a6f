import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sub-agents (issue 14): a tool call made inside a sub-agent keeps the toolCallId of the
 * `Agent` / `Task` call that ran it. No foreign key: the parent may be unknown to the log
 * (a transcript that starts mid-session) and a call is never re-parented.
 */
export class ToolCallParent1764400000000 implements MigrationInterface {
  name = 'ToolCallParent1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tool_calls" ADD "parent_tool_call_id" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tool_calls" DROP COLUMN "parent_tool_call_id"`);
  }
}
