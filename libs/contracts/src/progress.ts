import type { SessionStatus, TodoStatus } from './events.js';
import type { Progress } from './snapshot.js';

/**
 * Progress of a session from its todo list. Rounded down so a running build never shows
 * 100 % early; exactly 100 once the session completed, so nothing is left at 99 %.
 */
export function computeProgress(todos: readonly { status: TodoStatus }[], status: SessionStatus): Progress {
  const total = todos.length;
  const completed = todos.filter((todo) => todo.status === 'completed').length;
  if (status === 'completed') return { completed, total, percent: 100 };
  const percent = total === 0 ? 0 : Math.floor((completed * 100) / total);
  return { completed, total, percent };
}
