import { TRANSCRIPT_FORMATS } from '#contracts';
import { CliError, EXIT } from './api.js';

export const USAGE = `Usage:
  buildcast replay <file> --format <${TRANSCRIPT_FORMATS.join('|')}> --project <id or name>
                   [--interval <ms>] [--watch]
  buildcast watch <project> <session>
  buildcast follow <file> --project <id or name> [--format <format>]
  buildcast follow --claude [<dir>] --project <id or name>
  buildcast keys create --name <name> --scope <scope> [--scope <scope>…] [--project <id or name>]
  buildcast keys list
  buildcast keys revoke <key id>
Every command also takes [--url <origin>] [--key <api key>].

  --url       the Buildcast origin (default $BUILDCAST_URL, else http://localhost:3000; the API is at <url>/api)
  --key       the API key sent as Authorization: Bearer (default $BUILDCAST_KEY)
  --project   a project id, or a name (replay, follow: created when no project has it)
  --watch     after posting, follow the build until it finishes
  follow      streams a transcript that is still being written (like tail -f, from its start) into a new
              external build, until the agent's last line or Ctrl-C (the build is then cancelled);
              the format is detected from the first lines unless --format says it. --claude follows
              the newest Claude Code session file of <dir> (default: here), from
              $CLAUDE_CONFIG_DIR (default ~/.claude)/projects/
  --scope     admin, builds:read, builds:write or agents:run (keys create; repeat for several)
Exit codes: 0 done (watch, follow: the build completed), 1 the server refused or the build did not complete,
2 bad arguments, 3 the server cannot be reached, 4 the key is missing or not accepted (401) or lacks a scope (403).`;

export function usage(message: string): CliError {
  return new CliError(`${message}\n\n${USAGE}`, EXIT.usage);
}
