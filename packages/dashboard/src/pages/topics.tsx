// Topics: what broadcasts are about, each with the subscription contacts have until they choose
// (opt_in: receive until they opt out; opt_out: only once they opt in).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { DeleteButton } from '../components/delete-button';
import { Field, FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { api } from '../lib/api';
import type { Topic } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

export function TopicsPage() {
  const list = useList<Topic>('/api/topics?limit=100');
  const can = useCan();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [subscription, setSubscription] = useState('opt_in');
  const [visibility, setVisibility] = useState('public');
  const create = () =>
    api('/api/topics', {
      method: 'POST',
      body: { name, description: description || null, default_subscription: subscription, visibility },
    }).then(() => {
      setName('');
      setDescription('');
      list.reload();
    });
  return (
    <Page title="Topics">
      <AudienceTabs />
      {can.write && (
        <FormRow>
          <Field label="New topic's name" value={name} onValue={setName} />
          <Field label="Description" class="grow" value={description} onValue={setDescription} />
          <Select
            label="Until a contact chooses"
            value={subscription}
            onValue={setSubscription}
            options={[
              ['opt_in', 'Subscribed (opt_in)'],
              ['opt_out', 'Not subscribed (opt_out)'],
            ]}
          />
          <Select
            label="On the preferences page"
            value={visibility}
            onValue={setVisibility}
            options={[
              ['public', 'Shown (public)'],
              ['private', 'Hidden (private)'],
            ]}
          />
          <Action run={create}>Create topic</Action>
        </FormRow>
      )}
      <ListView
        list={list}
        loading="Loading topics"
        empty={
          <Empty title="No topic yet">
            <p>
              Topics let contacts choose which broadcasts they receive; a broadcast names one in its editor.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Name', cell: (t) => t.name },
          { head: 'Description', cell: (t) => t.description ?? '' },
          { head: 'Default', cell: (t) => <Badge value={t.default_subscription} /> },
          { head: 'Visibility', cell: (t) => t.visibility },
          { head: 'Created', cell: (t) => formatDate(t.created_at) },
          can.write && {
            cell: (t) => (
              <DeleteButton
                path={`/api/topics/${t.id}`}
                confirm={`Delete the topic "${t.name}"?`}
                then={list.reload}
              />
            ),
          },
        ]}
      />
    </Page>
  );
}
