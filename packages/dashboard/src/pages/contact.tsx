// One contact (by id, or by address: the API takes either): its fields and properties, its segments
// (join or leave one), its topics (opt in or out), and the emails sent to it (the log searched for
// its address, then only those with it as a recipient: the search also matches longer addresses).
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { DeleteButton } from '../components/delete-button';
import { FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List, qs } from '../lib/api';
import type { ContactObject, ContactTopic, Segment } from '../lib/audience';
import type { EmailSummary } from '../lib/emails';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';
import { useList } from '../lib/use-list';

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
            <DeleteButton
              path={`/api/contacts/${c.id}`}
              confirm={`Delete ${c.email}?`}
              then={() => route('/contacts')}
            />
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
  const mine = useList<Segment>(`/api/contacts/${id}/segments?limit=100`);
  const all = useApi<List<Segment>>('/api/segments?limit=100');
  const can = useCan();
  const [pick, setPick] = useState('');
  const joined = new Set(mine.data?.data.map((s) => s.id));
  const others = all.data?.data.filter((s) => !joined.has(s.id)) ?? [];
  return (
    <section>
      <h2>Segments</h2>
      <ListView list={mine} loading="Loading segments" empty={<p class="muted">In no segment.</p>}>
        {(segments) => (
          <ul class="plain">
            {segments.map((s) => (
              <li key={s.id}>
                <a href={`/segments/${s.id}`}>{s.name}</a>{' '}
                {can.write && (
                  <DeleteButton quiet path={`/api/contacts/${id}/segments/${s.id}`} then={mine.reload}>
                    Remove
                  </DeleteButton>
                )}
              </li>
            ))}
          </ul>
        )}
      </ListView>
      {can.write && others.length > 0 && (
        <FormRow>
          <Select
            label="Add to segment"
            value={pick}
            onValue={setPick}
            options={[['', 'Choose…'], ...others.map((s) => [s.id, s.name] as const)]}
          />
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
        </FormRow>
      )}
    </section>
  );
}

function ContactTopics({ id }: { id: string }) {
  const topics = useList<ContactTopic>(`/api/contacts/${id}/topics?limit=100`);
  const can = useCan();
  const choose = (topic: ContactTopic) =>
    api(`/api/contacts/${id}/topics`, {
      method: 'PATCH',
      body: [{ id: topic.id, subscription: topic.subscription === 'opt_in' ? 'opt_out' : 'opt_in' }],
    }).then(topics.reload);
  return (
    <section>
      <h2>Topics</h2>
      <ListView
        list={topics}
        loading="Loading topics"
        empty={
          <p class="muted">
            No topic yet (<a href="/topics">topics</a> let contacts choose what they receive).
          </p>
        }
      >
        {(rows) => (
          <ul class="plain">
            {rows.map((t) => (
              <li key={t.id}>
                {t.name} <Badge value={t.subscription} />{' '}
                {can.write && (
                  <Action run={() => choose(t)}>{t.subscription === 'opt_in' ? 'Opt out' : 'Opt in'}</Action>
                )}
              </li>
            ))}
          </ul>
        )}
      </ListView>
    </section>
  );
}

function ContactEmails({ email }: { email: string }) {
  const emails = useList<EmailSummary>(`/api/emails${qs({ limit: 100, q: email })}`);
  const address = email.toLowerCase();
  const mine = emails.rows?.filter((e) =>
    [...e.to, ...e.cc, ...e.bcc].some((to) => bareAddress(to) === address),
  );
  return (
    <section>
      <h2>Emails sent to this contact</h2>
      <ListView
        list={{ ...emails, rows: mine }}
        loading="Loading emails"
        empty={<Empty title="No email sent to this contact yet" />}
        columns={[
          {
            head: 'Subject',
            cell: (e) => <a href={`/emails/${e.id}`}>{e.subject || '(no subject)'}</a>,
          },
          { head: 'Status', cell: (e) => <Badge value={e.last_event} /> },
          { head: 'Sent', cell: (e) => formatDate(e.created_at) },
        ]}
      />
    </section>
  );
}

/** `Name <a@b>` or `a@b` → `a@b`, lower case. */
const bareAddress = (mailbox: string) =>
  (/<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();
