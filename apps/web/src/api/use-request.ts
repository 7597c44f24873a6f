import { useEffect, useState } from 'react';
import { errorMessage, isNotFoundError, isSignedOutError } from './api.js';

interface RequestResult<T> {
  value: T | null;
  error: string | null;
  /** It failed with 401: the page offers a sign-in instead of the error. */
  signedOut: boolean;
  /** It failed with 404: the page says so instead of an error (trying again cannot help). */
  notFound: boolean;
}

/** Loads once per `key` (a later answer for an old key is dropped); the value or the error. */
export function useRequest<T>(load: () => Promise<T>, key: string): RequestResult<T> {
  const [result, setResult] = useState<RequestResult<T>>({
    value: null,
    error: null,
    signedOut: false,
    notFound: false,
  });
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setResult({ value, error: null, signedOut: false, notFound: false }),
      (error: unknown) =>
        current &&
        setResult({
          value: null,
          error: errorMessage(error),
          signedOut: isSignedOutError(error),
          notFound: isNotFoundError(error),
        }),
    );
    return () => {
      current = false;
    };
    // `key` names everything `load` depends on.
  }, [key]);
  return result;
}

/**
 * A button's request: `busy` while it runs, the server's message in `error` when it fails.
 * `run` never throws, so a click handler can ignore its promise.
 */
export function useAction(): {
  busy: boolean;
  error: string | null;
  run: (action: () => Promise<unknown>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
