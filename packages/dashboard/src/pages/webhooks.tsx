// Webhook endpoints: the list, and adding one with the event types it receives (its signing secret
// shown once, on its page).
import { useState } from 'preact/hooks';
import { Page } from '../components/page';
import { OnceSecret } from '../components/secret';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';
import { WEBHOOK_EVENT_TYPES, type Webhook } from '../lib/webhooks';

export function WebhooksPage() {
  const list = useApi<List<Webhook>>('/api/webhooks?limit=100');
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
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading webhooks" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No webhook yet">
          <p>
            A webhook sends each event (delivered, bounced, opened…) to your endpoint as it happens, signed.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Events</th>
                <th>Status</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((w) => (
                <tr key={w.id}>
                  <td class="value">
                    <a href={`/webhooks/${w.id}`}>{w.endpoint}</a>
                  </td>
                  <td>{w.events.length === WEBHOOK_EVENT_TYPES.length ? 'all' : w.events.join(', ')}</td>
                  <td>
                    <Badge value={w.status} />
                  </td>
                  <td>{formatDate(w.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
  const [error, setError] = useState<string>();
  const toggle = (type: string) =>
    setEvents((chosen) => (chosen.includes(type) ? chosen.filter((t) => t !== type) : [...chosen, type]));
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      onCreated(await api('/api/webhooks', { method: 'POST', body: { endpoint, events } }));
      setEndpoint('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="editor" onSubmit={submit}>
      <label>
        New endpoint (URL)
        <input
          type="url"
          required
          value={endpoint}
          onInput={(event) => setEndpoint(event.currentTarget.value)}
        />
      </label>
      <fieldset class="checks">
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type}>
            <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} /> {type}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary">
          Add webhook
        </button>
        {error && (
          <span class="inline-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
