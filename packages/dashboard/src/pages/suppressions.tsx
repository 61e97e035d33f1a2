// The suppression list: addresses every send leaves out (hard bounces, complaints, added by hand).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { DeleteButton } from '../components/delete-button';
import { Field, FormRow } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

interface Suppression {
  id: string;
  email: string;
  origin: string;
  reason: string;
  source_id: string | null;
  created_at: string;
}

export function SuppressionsPage() {
  const list = useList<Suppression>('/api/suppressions?limit=100');
  const can = useCan();
  const [email, setEmail] = useState('');
  return (
    <Page title="Suppressions">
      {can.write && (
        <FormRow>
          <Field label="Suppress an address" class="grow" type="email" value={email} onValue={setEmail} />
          <Action
            run={() =>
              api('/api/suppressions', { method: 'POST', body: { email } }).then(() => {
                setEmail('');
                list.reload();
              })
            }
          >
            Add
          </Action>
        </FormRow>
      )}
      <ListView
        list={list}
        loading="Loading suppressions"
        empty={
          <Empty title="No suppressed address">
            <p>Hard bounces and complaints are added here automatically, so they are never sent to again.</p>
          </Empty>
        }
        columns={[
          { head: 'Address', cell: (s) => s.email },
          { head: 'Origin', cell: (s) => <Badge value={s.origin} /> },
          {
            head: 'Reason',
            cell: (s) => (
              <>
                {s.reason}
                {s.source_id && (
                  <>
                    {' '}
                    (<a href={`/emails/${s.source_id}`}>email</a>)
                  </>
                )}
              </>
            ),
          },
          { head: 'Since', cell: (s) => formatDate(s.created_at) },
          can.write && {
            cell: (s) => (
              <DeleteButton
                quiet
                path={`/api/suppressions/${encodeURIComponent(s.email)}`}
                confirm={`Send to ${s.email} again?`}
                then={list.reload}
              >
                Remove
              </DeleteButton>
            ),
          },
        ]}
      />
    </Page>
  );
}
