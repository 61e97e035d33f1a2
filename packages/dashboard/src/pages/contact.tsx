// One contact (by id, or by address: the API takes either): its fields and properties, its segments
// (join or leave one), its topics (opt in or out), and the emails sent to it (the log searched for
// its address, then only those with it as a recipient: the search also matches longer addresses).
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import type { ContactObject, ContactTopic, Segment } from '../lib/audience';
import type { EmailSummary } from '../lib/emails';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function ContactPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const ref = encodeURIComponent(params.id as string);
  const contact = useApi<ContactObject>(`/api/contacts/${ref}`);
  const can = useCan();
  if (contact.error) return <ErrorBox error={contact.error} retry={contact.reload} />;
  if (!contact.data) return <Loading what="Loading the contact" />;
  const c = contact.data;
  const properties = Object.entries(c.properties);
  return (
    <Page
      title={c.email}
      actions={
        can.write && (
          <>
            <Action
              run={() =>
                api(`/api/contacts/${c.id}`, {
                  method: 'PATCH',
                  body: { unsubscribed: !c.unsubscribed },
                }).then(contact.reload)
              }
            >
              {c.unsubscribed ? 'Resubscribe' : 'Unsubscribe'}
            </Action>
            <Action
              kind="danger"
              confirm={`Delete ${c.email}?`}
              run={() => api(`/api/contacts/${c.id}`, { method: 'DELETE' }).then(() => route('/contacts'))}
            >
              Delete
            </Action>
          </>
        )
      }
    >
      <AudienceTabs />
      <p>
        <a href="/contacts">← All contacts</a>
      </p>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{[c.first_name, c.last_name].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Subscribed</dt>
        <dd>{c.unsubscribed ? <Badge value="unsubscribed" /> : 'yes'}</dd>
        <dt>Added</dt>
        <dd>{formatDate(c.created_at)}</dd>
        {properties.map(([key, p]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>{String(p.value)}</dd>
          </Fragment>
        ))}
        <dt>ID</dt>
        <dd>
          <code>{c.id}</code>
        </dd>
      </dl>
      <div class="two">
        <ContactSegments id={c.id} />
        <ContactTopics id={c.id} />
      </div>
      <ContactEmails email={c.email} />
    </Page>
  );
}

function ContactSegments({ id }: { id: string }) {
  const mine = useApi<List<Segment>>(`/api/contacts/${id}/segments?limit=100`);
  const all = useApi<List<Segment>>('/api/segments?limit=100');
  const can = useCan();
  const [pick, setPick] = useState('');
  const joined = new Set(mine.data?.data.map((s) => s.id));
  const others = all.data?.data.filter((s) => !joined.has(s.id)) ?? [];
  return (
    <section>
      <h2>Segments</h2>
      {mine.error ? (
        <ErrorBox error={mine.error} retry={mine.reload} />
      ) : !mine.data ? (
        <Loading what="Loading segments" />
      ) : mine.data.data.length === 0 ? (
        <p class="muted">In no segment.</p>
      ) : (
        <ul class="plain">
          {mine.data.data.map((s) => (
            <li key={s.id}>
              <a href={`/segments/${s.id}`}>{s.name}</a>{' '}
              {can.write && (
                <Action
                  run={() =>
                    api(`/api/contacts/${id}/segments/${s.id}`, { method: 'DELETE' }).then(mine.reload)
                  }
                >
                  Remove
                </Action>
              )}
            </li>
          ))}
        </ul>
      )}
      {can.write && others.length > 0 && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Add to segment
            <select value={pick} onChange={(event) => setPick(event.currentTarget.value)}>
              <option value="">Choose…</option>
              {others.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <Action
            run={() =>
              api(`/api/contacts/${id}/segments/${pick}`, { method: 'POST' }).then(() => {
                setPick('');
                mine.reload();
              })
            }
          >
            Add
          </Action>
        </form>
      )}
    </section>
  );
}

function ContactTopics({ id }: { id: string }) {
  const topics = useApi<List<ContactTopic>>(`/api/contacts/${id}/topics?limit=100`);
  const can = useCan();
  const choose = (topic: ContactTopic) =>
    api(`/api/contacts/${id}/topics`, {
      method: 'PATCH',
      body: [{ id: topic.id, subscription: topic.subscription === 'opt_in' ? 'opt_out' : 'opt_in' }],
    }).then(topics.reload);
  return (
    <section>
      <h2>Topics</h2>
      {topics.error ? (
        <ErrorBox error={topics.error} retry={topics.reload} />
      ) : !topics.data ? (
        <Loading what="Loading topics" />
      ) : topics.data.data.length === 0 ? (
        <p class="muted">
          No topic yet (<a href="/topics">topics</a> let contacts choose what they receive).
        </p>
      ) : (
        <ul class="plain">
          {topics.data.data.map((t) => (
            <li key={t.id}>
              {t.name} <Badge value={t.subscription} />{' '}
              {can.write && (
                <Action run={() => choose(t)}>{t.subscription === 'opt_in' ? 'Opt out' : 'Opt in'}</Action>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ContactEmails({ email }: { email: string }) {
  const emails = useApi<List<EmailSummary>>(`/api/emails${qs({ limit: 100, q: email })}`);
  const address = email.toLowerCase();
  const mine = emails.data?.data.filter((e) =>
    [...e.to, ...e.cc, ...e.bcc].some((to) => bareAddress(to) === address),
  );
  return (
    <section>
      <h2>Emails sent to this contact</h2>
      {emails.error ? (
        <ErrorBox error={emails.error} retry={emails.reload} />
      ) : !mine ? (
        <Loading what="Loading emails" />
      ) : mine.length === 0 ? (
        <Empty title="No email sent to this contact yet" />
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Subject</th>
                <th>Status</th>
                <th>Sent</th>
              </tr>
            </thead>
            <tbody>
              {mine.map((e) => (
                <tr key={e.id}>
                  <td>
                    <a href={`/emails/${e.id}`}>{e.subject || '(no subject)'}</a>
                  </td>
                  <td>
                    <Badge value={e.last_event} />
                  </td>
                  <td>{formatDate(e.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** `Name <a@b>` or `a@b` → `a@b`, lower case. */
const bareAddress = (mailbox: string) =>
  (/<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();
