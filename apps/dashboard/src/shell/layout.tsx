import type { ReactNode } from 'react';
import { useSession } from '../auth/session-context';
import { IntegrityBadge } from '../integrity/integrity-badge';
import { ProblemMessage } from '../shared/problem-message';
import { Link, type Route } from './router';

const NAV = [
  { to: '/', label: 'Overview', match: ['overview'] },
  { to: '/actions', label: 'Actions', match: ['actions', 'action'] },
  { to: '/escalations', label: 'Escalations', match: ['escalations', 'escalation'] },
  { to: '/retention', label: 'Retention', match: ['retention'] },
];

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  const { session, keyRefused, signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-row">
          <span className="brand">agent-ledger</span>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.to}>
                  <Link to={n.to} aria-current={n.match.includes(route.name) ? 'page' : undefined}>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <span className="key-label" title="Signed-in key">
              <span className="mono">{session?.label}</span> <span className="role">{session?.role}</span>
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
        <IntegrityBadge />
      </header>
      {keyRefused && (
        <section className="banner" aria-label="Session problem">
          <ProblemMessage problem={keyRefused} title="The API key was refused" />
          <button type="button" className="primary" onClick={signOut}>
            Sign in again
          </button>
        </section>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
