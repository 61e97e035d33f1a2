// One email: its preview (html in an `<iframe sandbox="">`: no script, no form, no navigation runs in
// it; or the text), its addresses and headers (from the EML as sent), its event timeline, the raw
// EML download, and cancel / reschedule while it is scheduled.

import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import type { EmailEvent, EmailObject } from '../lib/emails';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function EmailPage() {
  const { params } = useRoute();
  const id = params.id as string;
  const email = useApi<EmailObject>(`/api/emails/${id}`);
  const events = useApi<List<EmailEvent>>(`/api/emails/${id}/events`);
  const can = useCan();

  if (email.error) return <ErrorBox error={email.error} retry={email.reload} />;
  if (!email.data) return <Loading what="Loading the email" />;
  const e = email.data;
  const scheduled = e.last_event === 'scheduled';
  const reload = () => {
    email.reload();
    events.reload();
  };
  return (
    <Page
      title={e.subject || '(no subject)'}
      actions={
        <>
          <a class="button" href={`/api/emails/${e.id}/raw`} download={`${e.id}.eml`}>
            Download EML
          </a>
          {scheduled && can.write && (
            <Action
              kind="danger"
              confirm="Cancel this scheduled email?"
              run={() => api(`/api/emails/${e.id}/cancel`, { method: 'POST' }).then(reload)}
            >
              Cancel
            </Action>
          )}
        </>
      }
    >
      <p>
        <a href="/emails">← All emails</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={e.last_event} />
          {e.error && <span class="inline-error"> {e.error}</span>}
        </dd>
        <dt>From</dt>
        <dd>{e.from}</dd>
        <dt>To</dt>
        <dd>{e.to.join(', ')}</dd>
        {e.cc.length > 0 && (
          <>
            <dt>Cc</dt>
            <dd>{e.cc.join(', ')}</dd>
          </>
        )}
        {e.bcc.length > 0 && (
          <>
            <dt>Bcc</dt>
            <dd>{e.bcc.join(', ')}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{formatDate(e.created_at)}</dd>
        {e.scheduled_at && (
          <>
            <dt>Scheduled for</dt>
            <dd>{formatDate(e.scheduled_at)}</dd>
          </>
        )}
        <dt>Stream</dt>
        <dd>{e.stream}</dd>
        {e.tags.length > 0 && (
          <>
            <dt>Tags</dt>
            <dd>{e.tags.map((t) => `${t.name}: ${t.value}`).join(', ')}</dd>
          </>
        )}
        {e.suppressed.length > 0 && (
          <>
            <dt>Not sent (suppressed)</dt>
            <dd>{e.suppressed.join(', ')}</dd>
          </>
        )}
        {e.broadcast_id && (
          <>
            <dt>Broadcast</dt>
            <dd>{e.broadcast_id}</dd>
          </>
        )}
        <dt>ID</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
      </dl>
      {scheduled && can.write && <Reschedule email={e} onDone={reload} />}
      <h2>Preview</h2>
      <Preview email={e} />
      <h2>Events</h2>
      {events.error ? (
        <ErrorBox error={events.error} retry={events.reload} />
      ) : !events.data ? (
        <Loading what="Loading events" />
      ) : (
        <Timeline events={events.data.data} onRefresh={events.reload} />
      )}
      <h2>Headers</h2>
      <Headers email={e} />
    </Page>
  );
}

function Preview({ email }: { email: EmailObject }) {
  const [mode, setMode] = useState<'html' | 'text'>(email.html ? 'html' : 'text');
  return (
    <div class="preview">
      <div class="tabs" role="tablist">
        {(['html', 'text'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            disabled={m === 'html' ? !email.html : !email.text}
            onClick={() => setMode(m)}
          >
            {m.toUpperCase()}
          </button>
        ))}
      </div>
      {mode === 'html' && email.html ? (
        <iframe title="HTML preview" sandbox="" srcdoc={email.html} />
      ) : (
        <pre class="text-body">{email.text ?? '(no text part)'}</pre>
      )}
    </div>
  );
}

function Timeline({ events, onRefresh }: { events: EmailEvent[]; onRefresh: () => void }) {
  if (events.length === 0) {
    return (
      <p class="muted">
        No events yet: SES reports sending and delivery within seconds.{' '}
        <button type="button" class="link" onClick={onRefresh}>
          Refresh
        </button>
      </p>
    );
  }
  return (
    <ol class="timeline">
      {events.map((event, i) => (
        <li key={i}>
          <Badge value={event.type.replace(/^email\./, '')} />
          <time dateTime={event.occurred_at}>{formatDate(event.occurred_at)}</time>
          {event.recipient && <span> · {event.recipient}</span>}
          {details(event) && <span class="muted"> · {details(event)}</span>}
        </li>
      ))}
    </ol>
  );
}

/** What a person wants to know of an event: the bounce's kind and diagnostic, a machine open, the link. */
function details(event: EmailEvent): string {
  const d = event.data;
  const parts = [
    d.bounce_type,
    d.bounce_subtype,
    d.diagnostic_code,
    d.feedback_type,
    d.machine === true
      ? `machine${typeof d.machine_reason === 'string' ? ` (${d.machine_reason})` : ''}`
      : undefined,
    d.link,
  ];
  return parts.filter((p) => typeof p === 'string' && p).join(' · ');
}

function Headers({ email }: { email: EmailObject }) {
  const [headers, setHeaders] = useState<string | null>();
  const sent = !['scheduled', 'queued', 'canceled'].includes(email.last_event);
  useEffect(() => {
    if (!sent) return;
    fetch(`/api/emails/${email.id}/raw`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : null))
      .then((eml) => setHeaders(eml ? (eml.split(/\r?\n\r?\n/, 1)[0] ?? '') : null))
      .catch(() => setHeaders(null));
  }, [email.id, sent]);
  if (!sent) return <p class="muted">The headers are written when the email is sent.</p>;
  if (headers === undefined) return <Loading what="Loading headers" />;
  if (headers === null) return <p class="muted">The message as sent is not available yet.</p>;
  return <pre class="headers">{headers}</pre>;
}

function Reschedule({ email, onDone }: { email: EmailObject; onDone: () => void }) {
  const [when, setWhen] = useState(toLocalInput(email.scheduled_at));
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <label>
        Reschedule to
        <input type="datetime-local" value={when} onInput={(event) => setWhen(event.currentTarget.value)} />
      </label>
      <Action
        run={() =>
          api(`/api/emails/${email.id}`, {
            method: 'PATCH',
            body: { scheduled_at: new Date(when).toISOString() },
          }).then(onDone)
        }
      >
        Reschedule
      </Action>
    </form>
  );
}

function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
