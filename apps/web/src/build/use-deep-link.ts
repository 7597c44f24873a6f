import { useEffect, useState } from 'react';

const PREFIX = '#tool-';

/** The tool call id in the address's `#tool-<id>`, kept as the hash changes. */
export function useDeepLink(): string | null {
  const read = () => {
    const { hash } = window.location;
    if (!hash.startsWith(PREFIX)) return null;
    try {
      return decodeURIComponent(hash.slice(PREFIX.length)) || null;
    } catch {
      return null;
    }
  };
  const [target, setTarget] = useState(read);
  useEffect(() => {
    const update = () => setTarget(read());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return target;
}
