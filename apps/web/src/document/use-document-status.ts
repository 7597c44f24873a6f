import { useEffect } from 'react';
import type { SessionStatus } from '#contracts';
import { buildFavicon, buildTitle, DEFAULT_TITLE } from './document-status.js';

/** The favicon the page loaded with (index.html's), put back when a build page closes. */
function iconLink(): HTMLLinkElement {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.append(link);
  }
  return link;
}

/** The tab's title and favicon show the build's status and percent while its page is open. */
export function useDocumentStatus(
  build: { status: SessionStatus; percent: number; projectName: string } | null,
): void {
  const status = build?.status;
  const percent = build?.percent;
  const projectName = build?.projectName;
  useEffect(() => {
    if (status === undefined || percent === undefined || projectName === undefined) return;
    const link = iconLink();
    const originalIcon = link.href;
    document.title = buildTitle(status, percent, projectName);
    link.href = buildFavicon(status, percent);
    return () => {
      document.title = DEFAULT_TITLE;
      link.href = originalIcon;
    };
  }, [status, percent, projectName]);
}
