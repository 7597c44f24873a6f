import { Fragment, useEffect, useState } from 'react';
import { toAuditInfo, type AuditInfo, type BuildView } from '#client';
import { api } from '../api/api.js';
import { formatTime } from '../format/format.js';

const SHOWN = { started: 'Started by', cancelled: 'Cancelled by' } as const;

/** "Started by ci (bc_ab12cd34) · 14:02:11 · Cancelled by …": which key did what to this build. */
export function AuditLine(props: { build: BuildView }) {
  const audit = useAudit(props.build);
  const entries = audit.filter((entry) => entry.action in SHOWN);
  if (entries.length === 0) return null;
  return (
    <p className="audit muted">
      {entries.map((entry, index) => (
        <Fragment key={index}>
          {index > 0 && ' · '}
          <span data-testid={`audit-${entry.action}`}>
            {SHOWN[entry.action as keyof typeof SHOWN]} {entry.keyName}
            {entry.keyPrefix && ` (${entry.keyPrefix})`} · {formatTime(entry.at)}
          </span>
        </Fragment>
      ))}
    </p>
  );
}

/**
 * The build's audit. A cancel reaches a watching page as its `session.finished` event, which
 * does not say who asked; the entry is committed before that event, so one fresh snapshot has it.
 */
function useAudit(build: BuildView): AuditInfo[] {
  const { session } = build;
  const [fetched, setFetched] = useState<AuditInfo[] | null>(null);
  const missesCancel =
    session.status === 'cancelled' && !session.audit.some((entry) => entry.action === 'cancelled');
  useEffect(() => {
    if (!missesCancel) return;
    let current = true;
    api
      .getBuild(session.projectId, session.id)
      .then((snapshot) => {
        if (current) setFetched(snapshot.session.audit.map(toAuditInfo));
      })
      // Only the "Cancelled by" line is missing; the next visit shows it.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [missesCancel, session.projectId, session.id]);
  return missesCancel && fetched ? fetched : session.audit;
}
