import { useAction } from '../api/use-request.js';
import { Link, paths } from '../routing/router.js';
import { signOut, useSession } from './session.js';

/** In the top bar: who is signed in and "Sign out", or "Signed out" and a way back in. */
export function SessionBar() {
  const session = useSession();
  const { busy, error, run } = useAction();
  if (session.kind === 'signed-in') {
    return (
      <span className="session" data-testid="session" data-state="signed-in">
        <span className="muted">Signed in as</span>{' '}
        <strong data-testid="key-name">{session.who.keyName}</strong>
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          onClick={() => void run(signOut)}
        >
          {busy ? 'Signing out…' : 'Sign out'}
        </button>
        {error && <span className="form-error">{error}</span>}
      </span>
    );
  }
  if (session.kind === 'signed-out') {
    return (
      <span className="session" data-testid="session" data-state="signed-out">
        <span>Signed out</span> <Link to={paths.signIn()}>Sign in</Link>
      </span>
    );
  }
  return null;
}

/** Instead of an error, on a page that needs a sign-in. */
export function SignInPrompt(props: { what: string }) {
  return (
    <p className="alert" data-testid="sign-in-prompt">
      Signed out. <Link to={paths.signIn()}>Sign in</Link> to see {props.what}.
    </p>
  );
}
