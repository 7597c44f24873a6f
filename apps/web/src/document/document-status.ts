import type { SessionStatus } from '#contracts';

export const DEFAULT_TITLE = 'Buildcast';

/** The tab's title for a build: `57 % running · checkout-service`. */
export function buildTitle(status: SessionStatus, percent: number, projectName: string): string {
  return `${Math.round(percent)} % ${status} · ${projectName}`;
}

/** Favicon colours by status (the badge tones' hues, strong enough at 16 px). */
const ICON_COLORS: Record<SessionStatus, string> = {
  queued: '#6a737d',
  running: '#2f6fed',
  completed: '#1f9d55',
  failed: '#d73a49',
  interrupted: '#d73a49',
  cancelled: '#6a737d',
};

const RADIUS = 6;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * A 16 px SVG favicon as a data URL: a ring filled to `percent` in the status's colour, and a
 * dot in the middle once finished (a tick or a cross would not read at that size).
 */
export function buildFavicon(status: SessionStatus, percent: number): string {
  const color = ICON_COLORS[status];
  const filled = (Math.min(100, Math.max(0, percent)) / 100) * CIRCUMFERENCE;
  const finished = status !== 'queued' && status !== 'running';
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>` +
    `<circle cx='8' cy='8' r='${RADIUS}' fill='none' stroke='${color}' stroke-opacity='0.3' stroke-width='3'/>` +
    `<circle cx='8' cy='8' r='${RADIUS}' fill='none' stroke='${color}' stroke-width='3' ` +
    `stroke-dasharray='${filled.toFixed(2)} ${CIRCUMFERENCE.toFixed(2)}' transform='rotate(-90 8 8)'/>` +
    (finished ? `<circle cx='8' cy='8' r='3' fill='${color}'/>` : '') +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
