// API keys: the list (prefixes only), creating one (its token shown once, here), revoking one.
// Owners and admins manage keys; everyone else sees the list.
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

interface ApiKey {
  id: string;
  name: string;
  permission: 'full_access' | 'sending_access';
  domain_id: string | null;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

export function ApiKeysPage() {
  const keys = useApi<List<ApiKey>>('/api/api-keys?limit=100');
  const can = useCan();
  const [created, setCreated] = useState<{ name: string; token: string }>();
  return (
    <Page title="API keys">
      {can.manage && (
        <CreateKey
          onCreated={(key) => {
            setCreated(key);
            keys.reload();
          }}
        />
      )}
      {created && (
        <div class="callout" role="status">
          <p>
            <strong>{created.name}</strong>: copy the key now, it is never shown again.
          </p>
          <code class="token">{created.token}</code>{' '}
          <button type="button" onClick={() => navigator.clipboard?.writeText(created.token)}>
            Copy
          </button>{' '}
          <button type="button" class="link" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      {keys.error ? (
        <ErrorBox error={keys.error} retry={keys.reload} />
      ) : !keys.data ? (
        <Loading what="Loading API keys" />
      ) : keys.data.data.length === 0 ? (
        <Empty title="No API key">
          <p>{can.manage ? 'Create one above' : 'An owner or admin can create one'} to send with the API.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Permission</th>
                <th>Created</th>
                <th>Last used</th>
                {can.manage && <th />}
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>
                    {key.permission.replace('_', ' ')}
                    {key.domain_id ? ' (one domain)' : ''}
                  </td>
                  <td>{formatDate(key.created_at)}</td>
                  <td>{formatDate(key.last_used_at)}</td>
                  {can.manage && (
                    <td>
                      <Action
                        kind="danger"
                        confirm={`Revoke "${key.name}"? Requests with it are refused at once.`}
                        run={() => api(`/api/api-keys/${key.id}`, { method: 'DELETE' }).then(keys.reload)}
                      >
                        Revoke
                      </Action>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: { name: string; token: string }) => void }) {
  const [name, setName] = useState('');
  const [permission, setPermission] = useState('sending_access');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const key = await api<{ token: string }>('/api/api-keys', {
        method: 'POST',
        body: { name, permission },
      });
      onCreated({ name, token: key.token });
      setName('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="filters" onSubmit={submit}>
      <label class="grow">
        New key's name
        <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label>
        Permission
        <select value={permission} onChange={(event) => setPermission(event.currentTarget.value)}>
          <option value="sending_access">Sending only</option>
          <option value="full_access">Full access</option>
        </select>
      </label>
      <button type="submit" class="primary">
        Create key
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
