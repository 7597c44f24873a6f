import { memo, useEffect, useRef, useState } from 'react';
import type { ToolCallInfo } from '#client';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import {
  elapsed,
  formatDuration,
  formatFullTime,
  formatRelative,
  formatTime,
  prettyJson,
  summarizeInput,
} from '../format/format.js';
import { callSignature, useBuildRows } from './build-context.js';
import { useOpenOnReveal } from './use-open-on-reveal.js';
import { fileChanges } from './file-changes.js';
import { FileDiffs } from './file-diff.js';
import { countDescendants } from './nesting.js';

const MARKS = { running: null, succeeded: '✓', failed: '✗', aborted: '⊘' } as const;

/** One tool call: a line that opens to show its input and output, and its sub-agent calls. */
export function ToolCallRow(props: { call: ToolCallInfo }) {
  return <Row call={props.call} signature={callSignature(props.call, useBuildRows())} />;
}

const Row = memo(
  function Row(props: { call: ToolCallInfo; signature: string }) {
    return <CallRow call={props.call} />;
  },
  (before, after) => before.signature === after.signature,
);

function CallRow(props: { call: ToolCallInfo }) {
  const { call } = props;
  const rows = useBuildRows();
  const { now } = rows;
  const reveal = rows.revealed.indexOf(call.id);
  const [open, setOpen] = useState(reveal === 0);
  // A `#tool-<id>` link opens this call (and, in the same render, the todo and calls above it)...
  useOpenOnReveal(reveal === 0, () => setOpen(true));
  const element = useRef<HTMLLIElement>(null);
  // ...then brings it into view.
  useEffect(() => {
    if (reveal === 0) element.current?.scrollIntoView({ block: 'center' });
  }, [reveal]);
  const duration = elapsed(call.startedAt, call.endedAt ?? rows.sessionEndedAt, now) ?? 0;
  const changes = fileChanges(call.name, call.input);
  const summary = changes ? changes.map((change) => change.path).join(', ') : summarizeInput(call.input);
  const subcalls = rows.children.get(call.id) ?? [];
  return (
    <li
      ref={element}
      id={`tool-${call.id}`}
      className={`tool-call status-${call.status}`}
      data-testid="tool-call"
      data-tool-call-id={call.id}
      data-status={call.status}
    >
      <div className="tool-call-head">
        <button type="button" className="tool-call-line" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="tool-mark" role="img" aria-label={call.status}>
            {call.status === 'running' ? <span className="spinner" /> : MARKS[call.status]}
          </span>
          <span className="tool-name">{call.name}</span>
          <span className="tool-summary" title={summary}>
            {summary}
          </span>
          <time
            className="tool-time"
            data-testid="tool-time"
            dateTime={call.startedAt.toISOString()}
            title={`${formatFullTime(call.startedAt)} (${formatRelative(call.startedAt, now)})`}
          >
            {formatTime(call.startedAt)}
          </time>
          <span className="tool-duration" data-testid="tool-duration">
            {formatDuration(Math.max(0, duration))}
          </span>
        </button>
        <CopyLink callId={call.id} />
      </div>
      {open && <ToolCallDetails call={call} projectId={rows.projectId} sessionId={rows.sessionId} />}
      {subcalls.length > 0 && (
        <Subcalls
          parentId={call.id}
          calls={subcalls}
          count={countDescendants(rows.children, call.id)}
          revealed={reveal > 0}
        />
      )}
    </li>
  );
}

/** An Agent/Task call's own calls: collapsed (hidden) to a count until asked for (or deep-linked into). */
function Subcalls(props: { parentId: string; calls: ToolCallInfo[]; count: number; revealed: boolean }) {
  const [open, setOpen] = useState(props.revealed);
  useOpenOnReveal(props.revealed, () => setOpen(true));
  const listId = `subcalls-${props.parentId}`;
  return (
    <div className="subcalls">
      <button
        type="button"
        className="subcalls-toggle"
        data-testid="subcalls-toggle"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'} {props.count} sub-agent {props.count === 1 ? 'call' : 'calls'}
      </button>
      <ul className="tool-calls" id={listId} data-testid="subcalls" hidden={!open}>
        {props.calls.map((call) => (
          <ToolCallRow key={call.id} call={call} />
        ))}
      </ul>
    </div>
  );
}

/** Copies the call's `#tool-<id>` address; where the clipboard is refused, puts it in the address bar. */
function CopyLink(props: { callId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const hash = `#tool-${encodeURIComponent(props.callId)}`;
    const url = `${window.location.origin}${window.location.pathname}${hash}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      window.history.replaceState(null, '', hash);
    }
  };
  return (
    <button
      type="button"
      className="copy-link"
      data-testid="copy-link"
      aria-label={copied ? 'Link copied' : 'Copy a link to this call'}
      title="Copy a link to this call"
      onClick={() => void copy()}
      onBlur={() => setCopied(false)}
    >
      {copied ? 'Copied' : 'Link'}
    </button>
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
