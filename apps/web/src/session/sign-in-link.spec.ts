import { keyFromFragment } from './sign-in-link.js';

describe('keyFromFragment', () => {
  it('reads key= from the fragment', () => {
    expect(keyFromFragment('#key=bc_abc_secret')).toBe('bc_abc_secret');
    expect(keyFromFragment('#other=1&key=bc_x_y')).toBe('bc_x_y');
    expect(keyFromFragment('#key=bc%5Fa%5Fb')).toBe('bc_a_b');
  });

  it('is null without a key', () => {
    expect(keyFromFragment('')).toBeNull();
    expect(keyFromFragment('#')).toBeNull();
    expect(keyFromFragment('#key=')).toBeNull();
    expect(keyFromFragment('#key=%20')).toBeNull();
    expect(keyFromFragment('#token=bc_x_y')).toBeNull();
  });
});
