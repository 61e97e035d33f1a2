// The shell: who is signed in (GET /api/users/me, through the session cookie), the navigation, and
// the pages. Signed out, every path shows the sign-in page; /sign-in#access_token=… signs in.

import { useEffect, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { AUDIENCE_TABS } from './components/audience-tabs';
import { ErrorBox, Loading } from './components/states';
import { ApiError, api, whenSignedOut } from './lib/api';
import { SessionContext, type User } from './lib/session';
import { ApiKeysPage } from './pages/api-keys';
import { AuditLogPage } from './pages/audit-log';
import { BroadcastPage } from './pages/broadcast';
import { NewBroadcastPage } from './pages/broadcast-editor';
import { BroadcastsPage } from './pages/broadcasts';
import { ContactPage } from './pages/contact';
import { ContactPropertiesPage } from './pages/contact-properties';
import { ContactsPage } from './pages/contacts';
import { DomainPage } from './pages/domain';
import { DomainsPage } from './pages/domains';
import { EmailPage } from './pages/email';
import { EmailsPage } from './pages/emails';
import { ImportPage } from './pages/import';
import { ImportsPage } from './pages/imports';
import { OverviewPage } from './pages/overview';
import { SegmentPage } from './pages/segment';
import { SegmentsPage } from './pages/segments';
import { SignInPage } from './pages/sign-in';
import { StreamsPage } from './pages/streams';
import { SuppressionsPage } from './pages/suppressions';
import { TeamPage } from './pages/team';
import { TemplatePage } from './pages/template';
import { TemplatesPage } from './pages/templates';
import { TopicsPage } from './pages/topics';
import { WebhookPage } from './pages/webhook';
import { WebhooksPage } from './pages/webhooks';

/** The navigation; `also`: other paths under the same entry (the audience's tabs). */
const NAV: { href: string; label: string; also?: string[] }[] = [
  { href: '/', label: 'Overview' },
  { href: '/emails', label: 'Emails' },
  { href: '/broadcasts', label: 'Broadcasts' },
  { href: '/contacts', label: 'Audience', also: AUDIENCE_TABS.map((tab) => tab.href) },
  { href: '/templates', label: 'Templates' },
  { href: '/domains', label: 'Domains' },
  { href: '/api-keys', label: 'API keys' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/suppressions', label: 'Suppressions' },
  { href: '/streams', label: 'Streams' },
  { href: '/team', label: 'Team' },
  { href: '/audit-log', label: 'Audit log' },
];

type Session =
  | { state: 'loading' }
  | { state: 'out' }
  | { state: 'in'; user: User }
  | { state: 'error'; error: Error };

export function App() {
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}

function Shell() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const { path } = useLocation();
  const load = () =>
    api<User>('/api/users/me').then(
      (user) => setSession({ state: 'in', user }),
      (error: Error) =>
        setSession(
          error instanceof ApiError && (error.status === 401 || error.status === 403)
            ? { state: 'out' }
            : { state: 'error', error },
        ),
    );
  useEffect(() => {
    whenSignedOut(() => setSession({ state: 'out' }));
    // The sign-in page exchanges its link first; everything else asks who is signed in.
    if (path === '/sign-in') setSession({ state: 'out' });
    else void load();
  }, []);

  if (session.state === 'loading') return <Loading what="Signing in" />;
  if (session.state === 'error') return <ErrorBox error={session.error} retry={load} />;
  if (session.state === 'out') return <SignInPage onSignedIn={load} />;
  return (
    <SessionContext.Provider value={session.user}>
      <div class="layout">
        <Nav user={session.user} current={path} onSignOut={() => setSession({ state: 'out' })} />
        <main>
          <ErrorBoundary>
            <Router>
              <Route path="/" component={OverviewPage} />
              <Route path="/emails" component={EmailsPage} />
              <Route path="/emails/:id" component={EmailPage} />
              <Route path="/broadcasts" component={BroadcastsPage} />
              <Route path="/broadcasts/new" component={NewBroadcastPage} />
              <Route path="/broadcasts/:id" component={BroadcastPage} />
              <Route path="/contacts" component={ContactsPage} />
              <Route path="/contacts/:id" component={ContactPage} />
              <Route path="/segments" component={SegmentsPage} />
              <Route path="/segments/:id" component={SegmentPage} />
              <Route path="/topics" component={TopicsPage} />
              <Route path="/contact-properties" component={ContactPropertiesPage} />
              <Route path="/imports" component={ImportsPage} />
              <Route path="/imports/:id" component={ImportPage} />
              <Route path="/templates" component={TemplatesPage} />
              <Route path="/templates/:id" component={TemplatePage} />
              <Route path="/webhooks" component={WebhooksPage} />
              <Route path="/webhooks/:id" component={WebhookPage} />
              <Route path="/domains" component={DomainsPage} />
              <Route path="/domains/:id" component={DomainPage} />
              <Route path="/api-keys" component={ApiKeysPage} />
              <Route path="/suppressions" component={SuppressionsPage} />
              <Route path="/streams" component={StreamsPage} />
              <Route path="/team" component={TeamPage} />
              <Route path="/audit-log" component={AuditLogPage} />
              <Route default component={NotFound} />
            </Router>
          </ErrorBoundary>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function Nav({ user, current, onSignOut }: { user: User; current: string; onSignOut: () => void }) {
  const signOut = async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => {});
    onSignOut();
  };
  const under = (href: string) => current === href || current.startsWith(`${href}/`);
  const active = (item: (typeof NAV)[number]) =>
    item.href === '/' ? current === '/' : [item.href, ...(item.also ?? [])].some(under);
  return (
    <nav class="nav" aria-label="Main">
      <a class="brand" href="/">
        Mailgrid
      </a>
      <ul>
        {NAV.map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={active(item) ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
      <div class="who">
        <span class="email" title={user.email}>
          {user.email}
        </span>
        <span class="role">{user.role}</span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </div>
    </nav>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <a href="/">Back to the overview</a>.
      </p>
    </section>
  );
}
