import type { ClientConnection } from '../connections/client-connection.js';

/** What the registry needs of every room, whatever it carries (a session's log, a project's list). */
export interface Room {
  /** `project:{p}` or `project:{p}:session:{s}` (see room-context). */
  readonly key: string;
  /** The metrics label. */
  readonly kind: 'session' | 'project';
  /** Members, plus sockets still joining: a room with either must stay open. */
  readonly size: number;
  /**
   * The session whose log this room follows while it may still grow, and the room's position
   * in it: the audit compares it with Postgres. Undefined for a finished session or a project.
   */
  readonly unfinishedSession: { readonly sessionId: string; readonly position: number } | undefined;
  leave(connection: ClientConnection): void;
  /** A socket this room paused drained: send it what it missed. */
  resume(connection: ClientConnection): void;
  /** Published messages may have been lost (Redis was away, the audit saw more): read Postgres. */
  recover(): void;
  /** Sends what is pending now (shutdown). */
  flush(): void;
  close(): Promise<void>;
}
