import { useCallback, useEffect, useRef, useState } from 'react';
import { nextFollowing, SCROLL_KEYS, type FollowEvent } from './follow.js';

/** A scroll this soon after the reader's wheel, touch or key is the reader's own. */
const READER_SCROLL_WINDOW_MS = 600;
const LIVE_SELECTOR = '[data-live="true"]';

/** The newest entry of the live todo (or the todo itself): what following keeps in view. */
function liveElement(): Element | null {
  const live = document.querySelector(LIVE_SELECTOR);
  return live?.querySelector(':scope > .todo-calls > .tool-calls > li:last-child') ?? live;
}

function inView(element: Element | null): boolean {
  if (!element) return false;
  const box = element.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}

/**
 * Keeps the live todo in view while `live` (a running build), until the reader scrolls it out
 * of view; `jump` brings it back and resumes. `change` is anything that changes when the build
 * does (its seq): each change is followed.
 */
export function useFollow(live: boolean, change: number, startFollowing: boolean) {
  const [following, setFollowing] = useState(startFollowing);
  const dispatch = useCallback((event: FollowEvent) => setFollowing((was) => nextFollowing(was, event)), []);
  const readerAt = useRef(-Infinity);
  const pointerDown = useRef(false);

  useEffect(() => {
    const reader = () => (readerAt.current = performance.now());
    const key = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (SCROLL_KEYS.has(event.key) && !typing) reader();
    };
    // Dragging the scroll bar: mouse down on the page itself.
    const down = (event: MouseEvent) => (pointerDown.current = event.target === document.documentElement);
    const up = () => (pointerDown.current = false);
    const scrolled = () => {
      const byReader = pointerDown.current || performance.now() - readerAt.current < READER_SCROLL_WINDOW_MS;
      if (byReader) dispatch({ type: 'reader-scrolled', liveInView: inView(liveElement()) });
    };
    const options = { passive: true } as const;
    window.addEventListener('wheel', reader, options);
    window.addEventListener('touchmove', reader, options);
    window.addEventListener('keydown', key);
    window.addEventListener('mousedown', down);
    window.addEventListener('mouseup', up);
    window.addEventListener('scroll', scrolled, options);
    return () => {
      window.removeEventListener('wheel', reader);
      window.removeEventListener('touchmove', reader);
      window.removeEventListener('keydown', key);
      window.removeEventListener('mousedown', down);
      window.removeEventListener('mouseup', up);
      window.removeEventListener('scroll', scrolled);
    };
  }, [dispatch]);

  useEffect(() => {
    if (live && following) liveElement()?.scrollIntoView({ block: 'nearest' });
  }, [live, following, change]);

  const jump = useCallback(() => dispatch({ type: 'jump-to-live' }), [dispatch]);
  const stop = useCallback(() => dispatch({ type: 'deep-link' }), [dispatch]);
  return { following: live && following, jump, stop };
}
