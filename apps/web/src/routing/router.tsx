import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { matchRoute, type Route } from './routes.js';

export { paths } from './routes.js';

const NAVIGATED = 'buildcast:navigated';

/** Goes to `to` in place; `replace` leaves no history entry for the page we leave. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

/** The current route; follows links, back and forward. */
export function useRoute(): Route {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPathname(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return matchRoute(pathname);
}

/** An ordinary link (open in new tab works) that navigates in place on a plain click. */
export function Link(props: { to: string; className?: string; children: ReactNode; testId?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} className={props.className} onClick={onClick} data-testid={props.testId}>
      {props.children}
    </a>
  );
}
