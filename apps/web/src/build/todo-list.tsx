import type { BuildView, ToolCallInfo } from '#client';
import type { ReactNode } from 'react';
import type { TodoView } from '#contracts';
import { ToolCallRow } from './tool-call-row.js';

const TODO_MARKS = { pending: '○', in_progress: null, completed: '✓' } as const;

/** The agent's todo list, each todo with the tool calls that ran while it was in progress. */
export function TodoList(props: { build: BuildView; now: number }) {
  const { build, now } = props;
  const byTodo = new Map<number | null, ToolCallInfo[]>();
  const todoIndexes = new Set(build.todos.map((todo) => todo.index));
  for (const call of build.toolCalls) {
    const key = call.todoIndex !== null && todoIndexes.has(call.todoIndex) ? call.todoIndex : null;
    byTodo.set(key, [...(byTodo.get(key) ?? []), call]);
  }
  const calls = (key: number | null) => (
    <ToolCalls
      calls={byTodo.get(key) ?? []}
      projectId={build.session.projectId}
      sessionId={build.session.id}
      now={now}
    />
  );
  const loose = byTodo.get(null) ?? [];

  return (
    <>
      {build.todos.length > 0 && (
        <ol className="todos">
          {build.todos.map((todo) => (
            <TodoItem key={todo.index} todo={todo}>
              {calls(todo.index)}
            </TodoItem>
          ))}
        </ol>
      )}
      {loose.length > 0 && (
        <section className="loose-calls">
          <h3>{build.todos.length > 0 ? 'Outside the todo list' : 'Tool calls'}</h3>
          {calls(null)}
        </section>
      )}
      {build.todos.length === 0 && loose.length === 0 && (
        <p className="empty">
          {build.session.status === 'queued' ? 'Waiting for a runner…' : 'No todos or tool calls yet.'}
        </p>
      )}
    </>
  );
}

function TodoItem(props: { todo: TodoView; children: ReactNode }) {
  const { todo } = props;
  const active = todo.status === 'in_progress';
  return (
    <li className={`todo status-${todo.status}`} data-testid="todo" data-status={todo.status}>
      <div className="todo-line">
        <span className="todo-mark" role="img" aria-label={todo.status}>
          {active ? <span className="spinner" /> : TODO_MARKS[todo.status]}
        </span>
        <span className="todo-text">{active ? todo.activeForm || todo.content : todo.content}</span>
      </div>
      {props.children}
    </li>
  );
}

function ToolCalls(props: { calls: ToolCallInfo[]; projectId: string; sessionId: string; now: number }) {
  if (props.calls.length === 0) return null;
  return (
    <ul className="tool-calls">
      {props.calls.map((call) => (
        <ToolCallRow
          key={call.id}
          call={call}
          projectId={props.projectId}
          sessionId={props.sessionId}
          now={props.now}
        />
      ))}
    </ul>
  );
}
