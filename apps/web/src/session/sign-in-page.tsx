import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { navigate, paths } from '../routing/router.js';
import { refreshSession } from './session.js';
import { keyFromFragment } from './sign-in-link.js';

/**
 * `/sign-in`: trades an API key for the HttpOnly sign-in cookie, from the first-start link's
 * `#key=` or from the form. The key is kept nowhere (no storage), and leaves the URL at once.
 */
export function SignInPage() {
  const [key, setKey] = useState('');
  const { busy, error, run } = useAction();

  const signIn = (candidate: string) =>
    run(async () => {
      await api.signIn(candidate);
      await refreshSession();
      navigate(paths.projects(), { replace: true });
    });

  useEffect(() => {
    const takeKeyFromLink = () => {
      const fromLink = keyFromFragment(window.location.hash);
      if (fromLink === null) return;
      // Out of the address bar and the history before anything else happens.
      window.history.replaceState(null, '', paths.signIn());
      void signIn(fromLink);
    };
    takeKeyFromLink();
    // A link opened while this page is showing changes only the fragment.
    window.addEventListener('hashchange', takeKeyFromLink);
    return () => window.removeEventListener('hashchange', takeKeyFromLink);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signIn(key.trim());
  };

  return (
    <main className="page">
      <header className="page-header">
        <h1>Sign in</h1>
        <p className="muted">
          Paste an API key (<code>bc_…</code>). The browser keeps only a sign-in cookie, never the key.
        </p>
      </header>
      <form className="card form-row" onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          required
          onChange={(event) => setKey(event.target.value)}
        />
        <button type="submit" className="button button-primary" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <FormError error={error} />
      </form>
    </main>
  );
}
