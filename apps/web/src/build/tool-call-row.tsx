import { useState } from 'react';
import type { ToolCallInfo } from '#client';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { elapsed, formatDuration, prettyJson, summarizeInput } from '../format/format.js';
import { fileChanges } from './file-changes.js';
import { FileDiffs } from './file-diff.js';

const MARKS = { running: null, succeeded: '✓', failed: '✗', aborted: '⊘' } as const;

/** One tool call: a line that opens to show its input and output. */
export function ToolCallRow(props: {
  call: ToolCallInfo;
  projectId: string;
  sessionId: string;
  /** The session's end: nothing runs past it (the fold already ends open calls there). */
  sessionEndedAt: Date | null;
  now: number;
}) {
  const { call, now } = props;
  const [open, setOpen] = useState(false);
  const duration = elapsed(call.startedAt, call.endedAt ?? props.sessionEndedAt, now) ?? 0;
  const changes = fileChanges(call.name, call.input);
  const summary = changes ? changes.map((change) => change.path).join(', ') : summarizeInput(call.input);
  return (
    <li
      className={`tool-call status-${call.status}`}
      data-testid="tool-call"
      data-tool-call-id={call.id}
      data-status={call.status}
    >
      <button type="button" className="tool-call-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="tool-mark" role="img" aria-label={call.status}>
          {call.status === 'running' ? <span className="spinner" /> : MARKS[call.status]}
        </span>
        <span className="tool-name">{call.name}</span>
        <span className="tool-summary" title={summary}>
          {summary}
        </span>
        <span className="tool-duration" data-testid="tool-duration">
          {formatDuration(Math.max(0, duration))}
        </span>
      </button>
      {open && <ToolCallDetails {...props} />}
    </li>
  );
}

const NO_OUTPUT = {
  running: 'Running…',
  aborted: 'Aborted: the build ended before this call returned.',
  succeeded: 'No output.',
  failed: 'No output.',
} as const;

function ToolCallDetails(props: { call: ToolCallInfo; projectId: string; sessionId: string }) {
  const { call } = props;
  const changes = fileChanges(call.name, call.input);
  const [fullOutput, setFullOutput] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const loadFull = () =>
    run(async () => setFullOutput((await api.getToolCall(props.projectId, props.sessionId, call.id)).output));
  const output = fullOutput ?? call.output;
  return (
    <div className="tool-details">
      {changes ? (
        <>
          <h4>Changes</h4>
          <FileDiffs changes={changes} />
        </>
      ) : (
        <>
          <h4>Input</h4>
          <pre>{prettyJson(call.input)}</pre>
        </>
      )}
      <h4>Output{call.isError ? ' (error)' : ''}</h4>
      {output === null ? (
        <p className="muted">{NO_OUTPUT[call.status]}</p>
      ) : (
        <pre className={call.isError ? 'output-error' : undefined}>{output}</pre>
      )}
      {call.outputTruncated && fullOutput === null && (
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          onClick={() => void loadFull()}
        >
          Show the full output
        </button>
      )}
      <FormError error={error} />
    </div>
  );
}
