// API keys: the list (prefixes only), creating one (its token shown once, here), revoking one.
// Owners and admins manage keys; everyone else sees the list.
import { useState } from 'preact/hooks';
import { DeleteButton } from '../components/delete-button';
import { Field, Select, SubmitForm } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { OnceSecret } from '../components/secret';
import { Empty } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

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
  const keys = useList<ApiKey>('/api/api-keys?limit=100');
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
        <OnceSecret
          label={created.name}
          value={created.token}
          warning="copy the key now, it is never shown again."
          onDone={() => setCreated(undefined)}
        />
      )}
      <ListView
        list={keys}
        loading="Loading API keys"
        empty={
          <Empty title="No API key">
            <p>
              {can.manage ? 'Create one above' : 'An owner or admin can create one'} to send with the API.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Name', cell: (key) => key.name },
          { head: 'Key', cell: (key) => <code>{key.prefix}…</code> },
          {
            head: 'Permission',
            cell: (key) => (
              <>
                {key.permission.replace('_', ' ')}
                {key.domain_id ? ' (one domain)' : ''}
              </>
            ),
          },
          { head: 'Created', cell: (key) => formatDate(key.created_at) },
          { head: 'Last used', cell: (key) => formatDate(key.last_used_at) },
          can.manage && {
            cell: (key) => (
              <DeleteButton
                path={`/api/api-keys/${key.id}`}
                confirm={`Revoke "${key.name}"? Requests with it are refused at once.`}
                then={keys.reload}
              >
                Revoke
              </DeleteButton>
            ),
          },
        ]}
      />
    </Page>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: { name: string; token: string }) => void }) {
  const [name, setName] = useState('');
  const [permission, setPermission] = useState('sending_access');
  return (
    <SubmitForm
      submit="Create key"
      kind="primary"
      run={async () => {
        const key = await api<{ token: string }>('/api/api-keys', {
          method: 'POST',
          body: { name, permission },
        });
        onCreated({ name, token: key.token });
        setName('');
      }}
    >
      <Field label="New key's name" class="grow" required value={name} onValue={setName} />
      <Select
        label="Permission"
        value={permission}
        onValue={setPermission}
        options={[
          ['sending_access', 'Sending only'],
          ['full_access', 'Full access'],
        ]}
      />
    </SubmitForm>
  );
}
