import {
  applyEvent,
  emptySnapshot,
  type BuildEvent,
  type SessionSummary,
  type SessionView,
  type Snapshot,
} from '#contracts';

/** The reference: the session as created, with every event applied by the shared reducer. */
export function fold(created: SessionSummary, events: BuildEvent[]): Snapshot {
  return events.reduce(applyEvent, emptySnapshot(viewOf(created)));
}

export function viewOf({
  seq: _seq,
  progress: _progress,
  ...session
}: SessionSummary): Omit<SessionView, 'progress'> {
  return session;
}
