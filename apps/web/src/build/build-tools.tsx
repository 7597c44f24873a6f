import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import type { CallFilter } from './call-filter.js';
import { readAllEvents, toNdjson } from './event-log.js';

const EVENTS_PAGE = 1000;

/** Above the timeline: search, the failed-only view, and the whole log as NDJSON. */
export function BuildTools(props: {
  projectId: string;
  sessionId: string;
  failedCount: number;
  filter: CallFilter;
  onFilter: (filter: CallFilter) => void;
}) {
  const { filter } = props;
  const { busy, error, run } = useAction();
  const download = () =>
    run(async () => {
      const events = await readAllEvents((after) =>
        api.getEvents(props.projectId, props.sessionId, after, EVENTS_PAGE),
      );
      const url = URL.createObjectURL(new Blob([toNdjson(events)], { type: 'application/x-ndjson' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${props.sessionId}.ndjson`;
      document.body.append(link);
      link.click();
      link.remove();
      // After the click has handed the file to the browser.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    });
  return (
    <div className="build-tools">
      <input
        type="search"
        className="search"
        data-testid="search"
        aria-label="Search tool calls (names, inputs, outputs)"
        placeholder="Search calls…"
        value={filter.query}
        onChange={(event) => props.onFilter({ ...filter, query: event.target.value })}
      />
      <button
        type="button"
        className="button button-secondary"
        data-testid="filter-failed"
        aria-pressed={filter.failedOnly}
        onClick={() => props.onFilter({ ...filter, failedOnly: !filter.failedOnly })}
      >
        Failed only ({props.failedCount})
      </button>
      <button
        type="button"
        className="button button-secondary"
        data-testid="download-log"
        disabled={busy}
        onClick={() => void download()}
      >
        {busy ? 'Preparing log…' : 'Download log (NDJSON)'}
      </button>
      <FormError error={error} />
    </div>
  );
}
