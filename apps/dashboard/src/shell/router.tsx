import { useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { upgradeHashRoute } from './hash-route';

/** Client routes (History API). audit-api answers each with index.html. */
export type Route =
  | { name: 'overview' }
  | { name: 'actions' }
  | { name: 'action'; id: string }
  | { name: 'escalations' }
  | { name: 'escalation'; id: string }
  | { name: 'dead-letters' }
  | { name: 'retention' }
  | { name: 'not-found'; path: string };

export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'overview' };
  if (clean === '/actions') return { name: 'actions' };
  if (clean === '/escalations') return { name: 'escalations' };
  if (clean === '/dead-letters') return { name: 'dead-letters' };
  if (clean === '/retention') return { name: 'retention' };
  let m = /^\/actions\/([^/]+)$/.exec(clean);
  if (m) return { name: 'action', id: safeDecode(m[1]) };
  m = /^\/escalations\/([^/]+)$/.exec(clean);
  if (m) return { name: 'escalation', id: safeDecode(m[1]) };
  return { name: 'not-found', path };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const actionPath = (id: string) => `/actions/${encodeURIComponent(id)}`;
export const escalationPath = (id: string) => `/escalations/${encodeURIComponent(id)}`;

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') {
  // An old `#/…` link opens its page: the address becomes the path before anything renders.
  upgradeHashRoute(window.location, window.history);
  window.addEventListener('popstate', notify);
  // A `#/…` link followed inside an open tab (same document) is upgraded too.
  window.addEventListener('hashchange', () => {
    if (upgradeHashRoute(window.location, window.history)) notify();
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => `${window.location.pathname}${window.location.search}`;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

export interface Location {
  path: string;
  search: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    return { path: url.pathname, search: url.search, query: url.searchParams };
  }, [href]);
}

/** An in-app link: a real <a href> (open in a new tab works), navigated without a reload. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}
