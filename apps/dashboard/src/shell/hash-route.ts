/**
 * Links of the hash-routing era (`<dashboard>/#/escalations/<id>`, as notifications sent them)
 * name the page after `#`. The dashboard routes on the path, so such a link is turned into its path
 * (`/escalations/<id>`, query kept) before the first render, replacing the history entry.
 */
export function pathOfHashRoute(hash: string): string | undefined {
  if (!hash.startsWith('#/')) return undefined;
  const target = hash.slice(1);
  // `#//host/x` would become a protocol-relative URL: only same-origin paths are accepted.
  if (target.startsWith('//') || target.startsWith('/\\')) return undefined;
  return target;
}

/** Replaces an old `#/…` link in the address bar by its path; true when it did. */
export function upgradeHashRoute(location: Pick<Location, 'hash'>, history: Pick<History, 'replaceState'>): boolean {
  const path = pathOfHashRoute(location.hash);
  if (path === undefined) return false;
  history.replaceState(null, '', path);
  return true;
}
