// One webhook: its endpoint and events, enabling / disabling, rotating the signing secret (the new
// one shown once; the previous one keeps signing for a day), and its events (one per delivery) with
// their status, each replayable.
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { DeleteButton } from '../components/delete-button';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { OnceSecret } from '../components/secret';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';
import { useList } from '../lib/use-list';
import type { Secret, Webhook, WebhookEvent } from '../lib/webhooks';

export function WebhookPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const webhook = useApi<Webhook>(`/api/webhooks/${params.id}`);
  const events = useList<WebhookEvent>(`/api/webhooks/${params.id}/events?limit=100`);
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
            <DeleteButton
              path={`/api/webhooks/${w.id}`}
              confirm={`Delete the webhook to ${w.endpoint}?`}
              then={() => route('/webhooks')}
            />
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
      <ListView
        list={events}
        loading="Loading its events"
        empty={
          <Empty title="Nothing sent yet">
            <p>Each event of the types above is delivered here as it happens; they appear in this list.</p>
          </Empty>
        }
        columns={[
          {
            head: 'Event',
            cell: (e) => (
              <>
                {e.type} <code class="muted">{e.id}</code>
              </>
            ),
          },
          { head: 'Status', cell: (e) => <Badge value={e.status} /> },
          { head: 'Attempts', cell: (e) => e.attempts },
          { head: 'At', cell: (e) => formatDate(e.created_at) },
          can.write && {
            cell: (e) => (
              <Action
                run={() =>
                  api(`/api/webhooks/${w.id}/events/${e.id}/replay`, { method: 'POST' }).then(events.reload)
                }
              >
                Replay
              </Action>
            ),
          },
        ]}
      />
      <p>
        <button type="button" onClick={events.reload}>
          Refresh events
        </button>
      </p>
    </Page>
  );
}
