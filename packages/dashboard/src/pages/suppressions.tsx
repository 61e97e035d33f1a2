// The suppression list: addresses every send leaves out (hard bounces, complaints, added by hand).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

interface Suppression {
  id: string;
  email: string;
  origin: string;
  reason: string;
  source_id: string | null;
  created_at: string;
}

export function SuppressionsPage() {
  const list = useApi<List<Suppression>>('/api/suppressions?limit=100');
  const can = useCan();
  const [email, setEmail] = useState('');
  return (
    <Page title="Suppressions">
      {can.write && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label class="grow">
            Suppress an address
            <input type="email" value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
          </label>
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
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading suppressions" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No suppressed address">
          <p>Hard bounces and complaints are added here automatically, so they are never sent to again.</p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Address</th>
                <th>Origin</th>
                <th>Reason</th>
                <th>Since</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((s) => (
                <tr key={s.id}>
                  <td>{s.email}</td>
                  <td>
                    <Badge value={s.origin} />
                  </td>
                  <td>
                    {s.reason}
                    {s.source_id && (
                      <>
                        {' '}
                        (<a href={`/emails/${s.source_id}`}>email</a>)
                      </>
                    )}
                  </td>
                  <td>{formatDate(s.created_at)}</td>
                  {can.write && (
                    <td>
                      <Action
                        confirm={`Send to ${s.email} again?`}
                        run={() =>
                          api(`/api/suppressions/${encodeURIComponent(s.email)}`, { method: 'DELETE' }).then(
                            list.reload,
                          )
                        }
                      >
                        Remove
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
