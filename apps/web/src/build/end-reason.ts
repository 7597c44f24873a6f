import type { SessionStatus } from '#contracts';

interface EndedSession {
  status: SessionStatus;
  error: string | null;
  audit: readonly { action: string; keyName: string }[];
}

const FIRST_LINE_LENGTH = 120;

/**
 * Why a build ended, in a few words beside its badge: who cancelled it, why it was
 * interrupted, what failed. Null while it runs and when it completed (nothing to explain).
 */
export function endReason(session: EndedSession): string | null {
  switch (session.status) {
    case 'cancelled': {
      const by = session.audit.find((entry) => entry.action === 'cancelled');
      return by ? `Cancelled by ${by.keyName}` : 'Cancelled on request';
    }
    case 'interrupted':
      return `Interrupted: ${firstLine(session.error) ?? 'the runner stopped before the build ended'}`;
    case 'failed':
      return `Failed: ${firstLine(session.error) ?? 'the agent reported a failure'}`;
    default:
      return null;
  }
}

function firstLine(text: string | null): string | null {
  const line = text?.trim().split('\n', 1)[0].trim();
  if (!line) return null;
  return line.length > FIRST_LINE_LENGTH ? `${line.slice(0, FIRST_LINE_LENGTH - 1)}…` : line;
}
