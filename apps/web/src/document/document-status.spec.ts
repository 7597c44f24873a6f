import { buildFavicon, buildTitle } from './document-status.js';

describe('buildTitle', () => {
  it('names percent, status and project', () => {
    expect(buildTitle('running', 57, 'checkout-service')).toBe('57 % running · checkout-service');
    expect(buildTitle('completed', 100, 'p')).toBe('100 % completed · p');
    expect(buildTitle('queued', 0, 'p')).toBe('0 % queued · p');
  });
});

describe('buildFavicon', () => {
  const svgOf = (url: string) => decodeURIComponent(url.replace('data:image/svg+xml,', ''));

  it('is an SVG data URL whose ring is filled in proportion to the percent', () => {
    const half = svgOf(buildFavicon('running', 50));
    const full = svgOf(buildFavicon('running', 100));
    const dash = (svg: string) => Number(/stroke-dasharray='([\d.]+) /.exec(svg)?.[1]);
    expect(buildFavicon('running', 50)).toMatch(/^data:image\/svg\+xml,/);
    expect(dash(full)).toBeCloseTo(2 * dash(half), 1);
    expect(dash(svgOf(buildFavicon('running', 0)))).toBe(0);
    expect(dash(svgOf(buildFavicon('running', 250)))).toBe(dash(full));
  });

  it('colours by status and marks a finished build', () => {
    expect(svgOf(buildFavicon('failed', 40))).toContain('#d73a49');
    expect(svgOf(buildFavicon('completed', 100))).toContain('#1f9d55');
    expect(svgOf(buildFavicon('running', 40))).not.toContain("r='3'");
    expect(svgOf(buildFavicon('cancelled', 40))).toContain("r='3'");
  });
});
