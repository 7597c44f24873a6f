import type { BuildView, MessageInfo, ToolCallInfo } from '#client';
import type { ReactNode } from 'react';
import { isFinishedStatus, type TodoView } from '#contracts';
import { AgentMessage } from './agent-message.js';
import { buildTimeline, type TimelineEntry } from './timeline.js';
import { ToolCallRow } from './tool-call-row.js';

type Entry = TimelineEntry<ToolCallInfo, MessageInfo>;

/** A todo left in progress by a finished build: it stopped, it does not spin. */
const TODO_MARKS = { pending: '○', in_progress: null, completed: '✓' } as const;
const STOPPED_MARK = '■';

/**
 * The agent's todo list, each todo with the tool calls that ran while it was in progress and
 * the agent's messages in place between them.
 */
export function TodoList(props: { build: BuildView; now: number }) {
  const { build, now } = props;
  const { session } = build;
  const finished = isFinishedStatus(session.status);
  const timeline = buildTimeline(
    new Set(build.todos.map((todo) => todo.index)),
    build.toolCalls,
    build.messages,
  );
  const entries = (list: Entry[] | undefined) => (
    <Entries
      entries={list ?? []}
      projectId={session.projectId}
      sessionId={session.id}
      sessionEndedAt={session.endedAt}
      now={now}
    />
  );
  const loose = timeline.groups.get(null) ?? [];

  return (
    <>
      {entries(timeline.lead)}
      {build.todos.length > 0 && (
        <ol className="todos">
          {build.todos.map((todo) => (
            <TodoItem key={todo.index} todo={todo} finished={finished}>
              {entries(timeline.groups.get(todo.index))}
            </TodoItem>
          ))}
        </ol>
      )}
      {loose.length > 0 && (
        <section className="loose-calls">
          <h3>{build.todos.length > 0 ? 'Outside the todo list' : 'Tool calls'}</h3>
          {entries(loose)}
        </section>
      )}
      {build.todos.length === 0 && loose.length === 0 && timeline.lead.length === 0 && (
        <p className="empty">
          {session.status === 'queued' ? 'Waiting for a runner…' : 'No todos or tool calls yet.'}
        </p>
      )}
    </>
  );
}

function TodoItem(props: { todo: TodoView; finished: boolean; children: ReactNode }) {
  const { todo, finished } = props;
  const active = todo.status === 'in_progress';
  const stopped = active && finished;
  return (
    <li className={`todo status-${todo.status}`} data-testid="todo" data-status={todo.status}>
      <div className="todo-line">
        <span className="todo-mark" role="img" aria-label={stopped ? 'stopped' : todo.status}>
          {stopped ? STOPPED_MARK : active ? <span className="spinner" /> : TODO_MARKS[todo.status]}
        </span>
        <span className="todo-text">
          {active && !finished ? todo.activeForm || todo.content : todo.content}
        </span>
      </div>
      {props.children}
    </li>
  );
}

function Entries(props: {
  entries: Entry[];
  projectId: string;
  sessionId: string;
  sessionEndedAt: Date | null;
  now: number;
}) {
  if (props.entries.length === 0) return null;
  return (
    <ul className="tool-calls">
      {props.entries.map((entry) =>
        entry.kind === 'call' ? (
          <ToolCallRow
            key={`call-${entry.call.id}`}
            call={entry.call}
            projectId={props.projectId}
            sessionId={props.sessionId}
            sessionEndedAt={props.sessionEndedAt}
            now={props.now}
          />
        ) : (
          <AgentMessage key={`message-${entry.message.seq}`} message={entry.message} />
        ),
      )}
    </ul>
  );
}
