import { useState } from 'react';
import type { ToolCallInfo } from '#client';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { formatDuration, prettyJson, summarizeInput } from '../format/format.js';

const MARKS = { running: null, succeeded: '✓', failed: '✗' } as const;

/** One tool call: a line that opens to show its input and output. */
export function ToolCallRow(props: {
  call: ToolCallInfo;
  projectId: string;
  sessionId: string;
  now: number;
}) {
  const { call, now } = props;
  const [open, setOpen] = useState(false);
  const duration = call.durationMs ?? now - call.startedAt.getTime();
  const summary = summarizeInput(call.input);
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
        <span className="tool-duration">{formatDuration(Math.max(0, duration))}</span>
      </button>
      {open && <ToolCallDetails {...props} />}
    </li>
  );
}

function ToolCallDetails(props: { call: ToolCallInfo; projectId: string; sessionId: string }) {
  const { call } = props;
  const [fullOutput, setFullOutput] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const loadFull = () =>
    run(async () => setFullOutput((await api.getToolCall(props.projectId, props.sessionId, call.id)).output));
  const output = fullOutput ?? call.output;
  return (
    <div className="tool-details">
      <h4>Input</h4>
      <pre>{prettyJson(call.input)}</pre>
      <h4>Output{call.isError ? ' (error)' : ''}</h4>
      {output === null ? (
        <p className="muted">{call.status === 'running' ? 'Running…' : 'No output.'}</p>
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
