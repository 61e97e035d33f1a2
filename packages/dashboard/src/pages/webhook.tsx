// One webhook: its endpoint and events, enabling / disabling, rotating the signing secret (the new
// one shown once; the previous one keeps signing for a day), and its events (one per delivery) with
// their status, each replayable.
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { OnceSecret } from '../components/secret';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';
import type { Secret, Webhook, WebhookEvent } from '../lib/webhooks';

export function WebhookPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const webhook = useApi<Webhook>(`/api/webhooks/${params.id}`);
  const events = useApi<List<WebhookEvent>>(`/api/webhooks/${params.id}/events?limit=100`);
  const can = useCan();
  const [secret, setSecret] = useState<Secret>();
  if (webhook.error) return <ErrorBox error={webhook.error} retry={webhook.reload} />;
  if (!webhook.data) return <Loading what="Loading the webhook" />;
  const w = webhook.data;
  return (
    <Page
      title="Webhook"
      actions={
        can.write && (
          <>
            <Action
              run={() =>
                api(`/api/webhooks/${w.id}`, {
                  method: 'PATCH',
                  body: { status: w.status === 'enabled' ? 'disabled' : 'enabled' },
                }).then(webhook.reload)
              }
            >
              {w.status === 'enabled' ? 'Disable' : 'Enable'}
            </Action>
            <Action
              confirm="Rotate the signing secret? The current one keeps signing deliveries for 24 hours."
              run={() =>
                api<Secret>(`/api/webhooks/${w.id}/signing-secret/rotate`, { method: 'POST' }).then(setSecret)
              }
            >
              Rotate secret
            </Action>
            <Action
              kind="danger"
              confirm={`Delete the webhook to ${w.endpoint}?`}
              run={() => api(`/api/webhooks/${w.id}`, { method: 'DELETE' }).then(() => route('/webhooks'))}
            >
              Delete
            </Action>
          </>
        )
      }
    >
      <p>
        <a href="/webhooks">← All webhooks</a>
      </p>
      {secret && (
        <OnceSecret
          label="New signing secret"
          value={secret.signing_secret}
          note={
            secret.previous_secret_expires_at
              ? `The previous one also signs until ${formatDate(secret.previous_secret_expires_at)}.`
              : undefined
          }
          onDone={() => setSecret(undefined)}
        />
      )}
      <dl class="facts">
        <dt>Endpoint</dt>
        <dd>
          <code>{w.endpoint}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <Badge value={w.status} />
          {w.disabled_reason && <span class="inline-error"> {w.disabled_reason}</span>}
        </dd>
        <dt>Events</dt>
        <dd>{w.events.join(', ')}</dd>
        <dt>Created</dt>
        <dd>{formatDate(w.created_at)}</dd>
      </dl>
      <h2>Events sent</h2>
      {events.error ? (
        <ErrorBox error={events.error} retry={events.reload} />
      ) : !events.data ? (
        <Loading what="Loading its events" />
      ) : events.data.data.length === 0 ? (
        <Empty title="Nothing sent yet">
          <p>Each event of the types above is delivered here as it happens; they appear in this list.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Event</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>At</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {events.data.data.map((e) => (
                <tr key={e.id}>
                  <td>
                    {e.type} <code class="muted">{e.id}</code>
                  </td>
                  <td>
                    <Badge value={e.status} />
                  </td>
                  <td>{e.attempts}</td>
                  <td>{formatDate(e.created_at)}</td>
                  {can.write && (
                    <td>
                      <Action
                        run={() =>
                          api(`/api/webhooks/${w.id}/events/${e.id}/replay`, { method: 'POST' }).then(
                            events.reload,
                          )
                        }
                      >
                        Replay
                      </Action>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <button type="button" onClick={events.reload}>
          Refresh events
        </button>
      </p>
    </Page>
  );
}
