// Segments: named lists of contacts, the audiences of broadcasts. Create, delete, open one to see its
// contacts.
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { DeleteButton } from '../components/delete-button';
import { Field, FormRow } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Empty } from '../components/states';
import { api } from '../lib/api';
import type { Segment } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

export function SegmentsPage() {
  const list = useList<Segment>('/api/segments?limit=100');
  const can = useCan();
  const [name, setName] = useState('');
  return (
    <Page title="Segments">
      <AudienceTabs />
      {can.write && (
        <FormRow>
          <Field label="New segment's name" class="grow" value={name} onValue={setName} />
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
        </FormRow>
      )}
      <ListView
        list={list}
        loading="Loading segments"
        empty={
          <Empty title="No segment yet">
            <p>
              A segment is the audience of a broadcast: create one, then add contacts to it (or import a CSV
              into it).
            </p>
          </Empty>
        }
        columns={[
          { head: 'Name', cell: (s) => <a href={`/segments/${s.id}`}>{s.name}</a> },
          { head: 'Created', cell: (s) => formatDate(s.created_at) },
          can.write && {
            cell: (s) => (
              <DeleteButton
                path={`/api/segments/${s.id}`}
                confirm={`Delete the segment "${s.name}"? Its contacts stay.`}
                then={list.reload}
              />
            ),
          },
        ]}
      />
    </Page>
  );
}
