import { nextFollowing } from './follow.js';

describe('nextFollowing', () => {
  it('stops following when the reader scrolls the live part out of view, and only then', () => {
    expect(nextFollowing(true, { type: 'reader-scrolled', liveInView: false })).toBe(false);
    expect(nextFollowing(true, { type: 'reader-scrolled', liveInView: true })).toBe(true);
  });

  it('resumes on "Jump to live" or when the reader scrolls back to the live part', () => {
    expect(nextFollowing(false, { type: 'jump-to-live' })).toBe(true);
    expect(nextFollowing(false, { type: 'reader-scrolled', liveInView: true })).toBe(true);
    expect(nextFollowing(false, { type: 'reader-scrolled', liveInView: false })).toBe(false);
  });

  it('a deep link to one call stops following', () => {
    expect(nextFollowing(true, { type: 'deep-link' })).toBe(false);
  });
});
