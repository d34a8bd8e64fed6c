import { useEffect, useRef } from 'react';
import { ActionDetailPage } from './actions/action-detail-page';
import { ActionsPage } from './actions/actions-page';
import { SessionProvider, useSession } from './auth/session-context';
import { SignInPage } from './auth/sign-in-page';
import { DeadLettersPage } from './dead-letters/dead-letters-page';
import { EscalationDetailPage } from './escalations/escalation-detail-page';
import { EscalationsPage } from './escalations/escalations-page';
import { OverviewPage } from './overview/overview-page';
import { RetentionPage } from './retention/retention-page';
import { AnnouncerProvider } from './shell/announcer';
import { ErrorBoundary } from './shell/error-boundary';
import { Layout } from './shell/layout';
import { Link, matchRoute, useLocation, type Route } from './shell/router';
import { PageHeading } from './shared/page-heading';

const TITLES: Record<Route['name'], string> = {
  overview: 'Overview',
  actions: 'Actions',
  action: 'Action',
  escalations: 'Escalations',
  escalation: 'Escalation',
  'dead-letters': 'Dead letters',
  retention: 'Retention',
  'not-found': 'Not found',
};

export function App() {
  return (
    <ErrorBoundary>
      <AnnouncerProvider>
        <SessionProvider>
          <Screens />
        </SessionProvider>
      </AnnouncerProvider>
    </ErrorBoundary>
  );
}

function Screens() {
  const { session } = useSession();
  const { path } = useLocation();
  const route = matchRoute(path);
  const first = useRef(true);

  useEffect(() => {
    document.title = `${session ? TITLES[route.name] : 'Sign in'} · agent-ledger`;
  }, [route.name, session]);

  // A new page (not a new query string) moves focus to its heading, as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>('main h1');
    h1?.focus();
  }, [path]);

  if (!session) return <SignInPage />;
  return (
    <Layout route={route}>
      <ErrorBoundary resetKey={path}>
        <Page route={route} />
      </ErrorBoundary>
    </Layout>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'overview':
      return <OverviewPage />;
    case 'actions':
      return <ActionsPage />;
    case 'action':
      return <ActionDetailPage key={route.id} id={route.id} />;
    case 'escalations':
      return <EscalationsPage />;
    case 'escalation':
      return <EscalationDetailPage key={route.id} id={route.id} />;
    case 'dead-letters':
      return <DeadLettersPage />;
    case 'retention':
      return <RetentionPage />;
    case 'not-found':
      return (
        <>
          <PageHeading>Page not found</PageHeading>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link to="/">Go to the overview</Link>.
          </p>
        </>
      );
  }
}
