import { useState } from 'react';

/**
 * Calls `open` when `reveal` turns true (a deep link into this part). It runs during render,
 * React's way to adjust state to a prop, so that everything above a linked call is open in
 * the same commit in which the call scrolls itself into view.
 */
export function useOpenOnReveal(reveal: boolean, open: () => void): void {
  const [seen, setSeen] = useState(reveal);
  if (reveal !== seen) {
    setSeen(reveal);
    if (reveal) open();
  }
}
