import type { BuildView, MessageInfo, ToolCallInfo } from '#client';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { isFinishedStatus, type TodoView } from '#contracts';
import { formatDuration } from '../format/format.js';
import { AgentMessage } from './agent-message.js';
import { BuildRows, type BuildRowsContext } from './build-context.js';
import { describeSummary, summarizeCalls } from './call-summary.js';
import { isFiltering, matchesFilter, type CallFilter } from './call-filter.js';
import { ancestry, nestCalls } from './nesting.js';
import { buildTimeline, type TimelineEntry } from './timeline.js';
import { ToolCallRow } from './tool-call-row.js';
import { useOpenOnReveal } from './use-open-on-reveal.js';

type Entry = TimelineEntry<ToolCallInfo, MessageInfo>;

/** A todo left in progress by a finished build: it stopped, it does not spin. */
const TODO_MARKS = { pending: '○', in_progress: null, completed: '✓' } as const;
const STOPPED_MARK = '■';

/**
 * The agent's todo list, each todo with the tool calls that ran while it was in progress and
 * the agent's messages in place between them; sub-agent calls under their Agent/Task call.
 * With a filter on, a flat list of the matching calls instead.
 */
export function TodoList(props: {
  build: BuildView;
  now: number;
  filter: CallFilter;
  target: string | null;
}) {
  const { build, now, filter } = props;
  const { session } = build;
  const finished = isFinishedStatus(session.status);
  const { topLevel, children } = useMemo(() => nestCalls(build.toolCalls), [build.toolCalls]);
  const revealed = useMemo(
    () => (props.target ? ancestry(new Map(build.toolCalls.map((c) => [c.id, c])), props.target) : []),
    [build.toolCalls, props.target],
  );
  const timeline = buildTimeline(new Set(build.todos.map((todo) => todo.index)), topLevel, build.messages);
  const rowsRef = useRef<BuildRowsContext | null>(null);
  rowsRef.current = {
    projectId: session.projectId,
    sessionId: session.id,
    sessionEndedAt: session.endedAt,
    now,
    children,
    revealed,
  };
  const rows = rowsRef as { readonly current: BuildRowsContext };
  const end = session.endedAt?.getTime() ?? now;
  /** A todo's calls with their sub-agent calls, for its one-line summary. */
  const callsOf = (entries: Entry[]) => {
    const calls: ToolCallInfo[] = [];
    const add = (call: ToolCallInfo) => {
      calls.push(call);
      for (const child of children.get(call.id) ?? []) add(child);
    };
    for (const entry of entries) if (entry.kind === 'call') add(entry.call);
    return calls;
  };
  const loose = timeline.groups.get(null) ?? [];

  if (isFiltering(filter)) {
    const matching = build.toolCalls.filter((call) => matchesFilter(call, filter));
    return (
      <BuildRows.Provider value={rows}>
        <section className="filtered-calls" aria-label="Matching tool calls">
          <p className="muted" data-testid="filter-count" role="status">
            {matching.length} of {build.toolCalls.length} calls
          </p>
          {matching.length > 0 && (
            <ul className="tool-calls">
              {matching.map((call) => (
                <ToolCallRow key={call.id} call={call} />
              ))}
            </ul>
          )}
        </section>
      </BuildRows.Provider>
    );
  }

  const topOfRevealed = revealed.at(-1);
  return (
    <BuildRows.Provider value={rows}>
      <Entries entries={timeline.lead} />
      {build.todos.length > 0 && (
        <ol className="todos">
          {build.todos.map((todo) => {
            const entries = timeline.groups.get(todo.index) ?? [];
            const holdsTarget = entries.some((e) => e.kind === 'call' && e.call.id === topOfRevealed);
            return (
              <TodoItem
                key={todo.index}
                todo={todo}
                finished={finished}
                summary={describeSummary(summarizeCalls(callsOf(entries), end), formatDuration)}
                hasCalls={entries.length > 0}
                holdsTarget={holdsTarget}
              >
                <Entries entries={entries} />
              </TodoItem>
            );
          })}
        </ol>
      )}
      {loose.length > 0 && (
        <section className="loose-calls">
          <h3>{build.todos.length > 0 ? 'Outside the todo list' : 'Tool calls'}</h3>
          <Entries entries={loose} />
        </section>
      )}
      {build.todos.length === 0 && loose.length === 0 && timeline.lead.length === 0 && (
        <p className="empty">
          {session.status === 'queued' ? 'Waiting for a runner…' : 'No todos or tool calls yet.'}
        </p>
      )}
    </BuildRows.Provider>
  );
}

/**
 * One todo. A completed one collapses to its line and summary (calls, failures, time) until
 * opened (its calls stay in the DOM, hidden); the one in progress is the build's live part (`data-live`), which the page follows.
 */
function TodoItem(props: {
  todo: TodoView;
  finished: boolean;
  summary: string;
  hasCalls: boolean;
  holdsTarget: boolean;
  children: ReactNode;
}) {
  const { todo, finished } = props;
  const active = todo.status === 'in_progress';
  const stopped = active && finished;
  const collapsible = todo.status === 'completed' && props.hasCalls;
  // null: as the todo's state says (a completed todo is collapsed); a click decides after that.
  const [chosen, setChosen] = useState<boolean | null>(props.holdsTarget || null);
  useOpenOnReveal(props.holdsTarget, () => setChosen(true));
  const expanded = !collapsible || (chosen ?? false);
  const line = (
    <>
      <span className="todo-mark" role="img" aria-label={stopped ? 'stopped' : todo.status}>
        {stopped ? STOPPED_MARK : active ? <span className="spinner" /> : TODO_MARKS[todo.status]}
      </span>
      <span className="todo-text">
        {active && !finished ? todo.activeForm || todo.content : todo.content}
      </span>
      {props.hasCalls && (
        <span className="todo-summary" data-testid="todo-summary">
          {props.summary}
        </span>
      )}
    </>
  );
  return (
    <li
      className={`todo status-${todo.status}`}
      data-testid="todo"
      data-status={todo.status}
      data-live={active && !finished ? 'true' : undefined}
    >
      {collapsible ? (
        <button
          type="button"
          className="todo-line todo-toggle"
          aria-expanded={expanded}
          onClick={() => setChosen(!expanded)}
        >
          {line}
        </button>
      ) : (
        <div className="todo-line">{line}</div>
      )}
      {/* Collapsed calls stay in the page, hidden: deep links and the page's test hooks still find them. */}
      <div className="todo-calls" hidden={!expanded}>
        {props.children}
      </div>
    </li>
  );
}

function Entries(props: { entries: Entry[] }) {
  if (props.entries.length === 0) return null;
  return (
    <ul className="tool-calls">
      {props.entries.map((entry) =>
        entry.kind === 'call' ? (
          <ToolCallRow key={`call-${entry.call.id}`} call={entry.call} />
        ) : (
          <AgentMessage key={`message-${entry.message.seq}`} message={entry.message} />
        ),
      )}
    </ul>
  );
}
