// Segments: named lists of contacts, the audiences of broadcasts. Create, delete, open one to see its
// contacts.
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import type { Segment } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function SegmentsPage() {
  const list = useApi<List<Segment>>('/api/segments?limit=100');
  const can = useCan();
  const [name, setName] = useState('');
  return (
    <Page title="Segments">
      <AudienceTabs />
      {can.write && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label class="grow">
            New segment's name
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <Action
            run={() =>
              api('/api/segments', { method: 'POST', body: { name } }).then(() => {
                setName('');
                list.reload();
              })
            }
          >
            Create segment
          </Action>
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading segments" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No segment yet">
          <p>
            A segment is the audience of a broadcast: create one, then add contacts to it (or import a CSV
            into it).
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a href={`/segments/${s.id}`}>{s.name}</a>
                  </td>
                  <td>{formatDate(s.created_at)}</td>
                  {can.write && (
                    <td>
                      <Action
                        kind="danger"
                        confirm={`Delete the segment "${s.name}"? Its contacts stay.`}
                        run={() => api(`/api/segments/${s.id}`, { method: 'DELETE' }).then(list.reload)}
                      >
                        Delete
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
