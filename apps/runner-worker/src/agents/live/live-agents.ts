import { mkdir } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig, resolveAgent } from '#config';
import type { LiveAgentKind, NewBuildEvent, SessionSummary } from '#contracts';
import type { TranscriptParser } from '#transcripts';
import { agentArgs } from './agent-command.js';
import { runAgentProcess } from './agent-process.js';
import { workDirectoryOf } from './work-directory-path.js';

/** Starts live agents (claude-code, codex, command) as configured, one working directory per build. */
@Injectable()
export class LiveAgents {
  constructor(private readonly config: AppConfig) {}

  async *run(
    agent: LiveAgentKind,
    session: SessionSummary,
    parser: TranscriptParser,
    signal: AbortSignal,
  ): AsyncGenerator<NewBuildEvent[]> {
    const command = this.config.agents[agent];
    const { executable, unavailable } = await resolveAgent(agent, command, this.config.searchPath);
    if (executable === null) {
      // The API checks this at build start too; this is the runner-worker's own configuration
      // and machine: a job for an agent it does not enable ends `failed`, no process started.
      yield parser.end(`${unavailable} (on the runner-worker)`);
      return;
    }
    // Kept after the build: it holds what the agent made. Only the worker's user may read it:
    // an agent's files can hold source code and secrets.
    const cwd = workDirectoryOf(this.config.agentWorkRoot, session.id);
    if (cwd === null) {
      yield parser.end(`Build ${session.id} has no working directory under AGENT_WORK_ROOT`);
      return;
    }
    await mkdir(cwd, { recursive: true, mode: 0o700 });
    yield* runAgentProcess(
      {
        executable,
        args: agentArgs(agent, command, session),
        cwd,
        env: this.config.agentEnvironment,
        label: `${command.variable} "${command.bin}"`,
      },
      parser,
      { stderrTailBytes: this.config.agentStderrTailBytes, graceMs: this.config.cancelGraceMs },
      signal,
    );
  }
}
