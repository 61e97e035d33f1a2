// Topics: what broadcasts are about, each with the subscription contacts have until they choose
// (opt_in: receive until they opt out; opt_out: only once they opt in).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import type { Topic } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function TopicsPage() {
  const list = useApi<List<Topic>>('/api/topics?limit=100');
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
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            New topic's name
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label class="grow">
            Description
            <input value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
          </label>
          <label>
            Until a contact chooses
            <select value={subscription} onChange={(event) => setSubscription(event.currentTarget.value)}>
              <option value="opt_in">Subscribed (opt_in)</option>
              <option value="opt_out">Not subscribed (opt_out)</option>
            </select>
          </label>
          <label>
            On the preferences page
            <select value={visibility} onChange={(event) => setVisibility(event.currentTarget.value)}>
              <option value="public">Shown (public)</option>
              <option value="private">Hidden (private)</option>
            </select>
          </label>
          <Action run={create}>Create topic</Action>
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading topics" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No topic yet">
          <p>
            Topics let contacts choose which broadcasts they receive; a broadcast names one in its editor.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th>Default</th>
                <th>Visibility</th>
                <th>Created</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.description ?? ''}</td>
                  <td>
                    <Badge value={t.default_subscription} />
                  </td>
                  <td>{t.visibility}</td>
                  <td>{formatDate(t.created_at)}</td>
                  {can.write && (
                    <td>
                      <Action
                        kind="danger"
                        confirm={`Delete the topic "${t.name}"?`}
                        run={() => api(`/api/topics/${t.id}`, { method: 'DELETE' }).then(list.reload)}
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
