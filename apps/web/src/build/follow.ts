/**
 * Following the live end of a build: the page keeps the active todo in view until the reader
 * scrolls away from it; "Jump to live" (or scrolling back to it) resumes. Programmatic scrolls
 * (the page following) never turn following off: only the reader's own scrolling does.
 */
export type FollowEvent =
  /** The reader scrolled (wheel, touch, keys, scrollbar); `liveInView`: the live part is still on screen. */
  | { type: 'reader-scrolled'; liveInView: boolean }
  | { type: 'jump-to-live' }
  /** A `#tool-…` link: the reader asked for one call, not the live end. */
  | { type: 'deep-link' };

export function nextFollowing(following: boolean, event: FollowEvent): boolean {
  switch (event.type) {
    case 'reader-scrolled':
      return event.liveInView;
    case 'jump-to-live':
      return true;
    case 'deep-link':
      return false;
  }
  return following;
}

/** Keys that scroll the page: pressing one is the reader scrolling. */
export const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);
