import { useEffect, useSyncExternalStore } from 'react';
import { api, isSignedOutError } from '../api/api.js';
import { onSessionChange, sessionState, setSessionState, type SessionState } from './session-store.js';

export async function refreshSession(): Promise<void> {
  try {
    setSessionState({ kind: 'signed-in', who: await api.whoAmI() });
  } catch (error) {
    setSessionState(isSignedOutError(error) ? { kind: 'signed-out' } : { kind: 'unknown' });
  }
}

/** Ends the sign-in; the API also closes the sockets it authenticated. */
export async function signOut(): Promise<void> {
  await api.signOut();
  setSessionState({ kind: 'signed-out' });
}

/** The session state; the first page to ask checks it with the API. */
export function useSession(): SessionState {
  const state = useSyncExternalStore(onSessionChange, sessionState);
  useEffect(() => {
    if (sessionState().kind === 'checking') void refreshSession();
  }, []);
  return state;
}
