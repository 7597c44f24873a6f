import { useAction } from '../api/use-request.js';
import { FormError } from './form-error.js';

/** Under a paged list: loads the next page, says so while it does, and why it failed if it did. */
export function LoadMoreButton(props: { label: string; testId: string; load: () => Promise<unknown> }) {
  const { busy, error, run } = useAction();
  return (
    <p className="load-more">
      <button
        type="button"
        className="button"
        data-testid={props.testId}
        disabled={busy}
        onClick={() => void run(props.load)}
      >
        {busy ? 'Loading…' : props.label}
      </button>
      <FormError error={error} />
    </p>
  );
}
