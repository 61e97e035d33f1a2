// Webhook endpoints: the list, and adding one with the event types it receives (its signing secret
// shown once, on its page).
import { useState } from 'preact/hooks';
import { Field, SubmitForm } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { OnceSecret } from '../components/secret';
import { Badge, Empty } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';
import { WEBHOOK_EVENT_TYPES, type Webhook } from '../lib/webhooks';

export function WebhooksPage() {
  const list = useList<Webhook>('/api/webhooks?limit=100');
  const can = useCan();
  const [created, setCreated] = useState<{ id: string; signing_secret: string }>();
  return (
    <Page title="Webhooks">
      {can.write && (
        <CreateWebhook
          onCreated={(webhook) => {
            setCreated(webhook);
            list.reload();
          }}
        />
      )}
      {created && (
        <OnceSecret
          label="Signing secret of the new webhook"
          value={created.signing_secret}
          note="Verify each delivery's webhook-signature header with it (Standard Webhooks)."
          onDone={() => setCreated(undefined)}
        />
      )}
      <ListView
        list={list}
        loading="Loading webhooks"
        empty={
          <Empty title="No webhook yet">
            <p>
              A webhook sends each event (delivered, bounced, opened…) to your endpoint as it happens, signed.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Endpoint', class: 'value', cell: (w) => <a href={`/webhooks/${w.id}`}>{w.endpoint}</a> },
          {
            head: 'Events',
            cell: (w) => (w.events.length === WEBHOOK_EVENT_TYPES.length ? 'all' : w.events.join(', ')),
          },
          { head: 'Status', cell: (w) => <Badge value={w.status} /> },
          { head: 'Created', cell: (w) => formatDate(w.created_at) },
        ]}
      />
    </Page>
  );
}

function CreateWebhook({
  onCreated,
}: {
  onCreated: (webhook: { id: string; signing_secret: string }) => void;
}) {
  const [endpoint, setEndpoint] = useState('');
  const [events, setEvents] = useState<string[]>(['email.delivered', 'email.bounced', 'email.complained']);
  const toggle = (type: string) =>
    setEvents((chosen) => (chosen.includes(type) ? chosen.filter((t) => t !== type) : [...chosen, type]));
  return (
    <SubmitForm
      editor
      submit="Add webhook"
      kind="primary"
      run={async () => {
        onCreated(await api('/api/webhooks', { method: 'POST', body: { endpoint, events } }));
        setEndpoint('');
      }}
    >
      <Field label="New endpoint (URL)" type="url" required value={endpoint} onValue={setEndpoint} />
      <fieldset class="checks">
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type}>
            <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} /> {type}
          </label>
        ))}
      </fieldset>
    </SubmitForm>
  );
}
