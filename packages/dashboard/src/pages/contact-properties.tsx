// Contact properties: the custom fields contacts carry (and broadcasts merge as {{{key|fallback}}}).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import type { ContactProperty } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useApi } from '../lib/use-api';

export function ContactPropertiesPage() {
  const list = useApi<List<ContactProperty>>('/api/contact-properties?limit=100');
  const can = useCan();
  const [key, setKey] = useState('');
  const [type, setType] = useState<'string' | 'number'>('string');
  const [fallback, setFallback] = useState('');
  const create = () =>
    api('/api/contact-properties', {
      method: 'POST',
      body: {
        key,
        type,
        fallback_value: fallback === '' ? null : type === 'number' ? Number(fallback) : fallback,
      },
    }).then(() => {
      setKey('');
      setFallback('');
      list.reload();
    });
  return (
    <Page title="Contact properties">
      <AudienceTabs />
      {can.write && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            New property's key
            <input value={key} placeholder="company" onInput={(event) => setKey(event.currentTarget.value)} />
          </label>
          <label>
            Type
            <select
              value={type}
              onChange={(event) => setType(event.currentTarget.value as 'string' | 'number')}
            >
              <option value="string">Text</option>
              <option value="number">Number</option>
            </select>
          </label>
          <label>
            Fallback
            <input value={fallback} onInput={(event) => setFallback(event.currentTarget.value)} />
          </label>
          <Action run={create}>Create property</Action>
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading contact properties" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No contact property yet">
          <p>
            Properties are custom fields (a company, a plan…) set on contacts by API or CSV import, and merged
            into broadcasts as <code>{'{{{key|fallback}}}'}</code>.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Key</th>
                <th>Type</th>
                <th>Fallback</th>
                <th>Created</th>
                {can.write && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.key}</code>
                  </td>
                  <td>{p.type}</td>
                  <td>{p.fallback_value ?? '—'}</td>
                  <td>{formatDate(p.created_at)}</td>
                  {can.write && (
                    <td>
                      <Action
                        kind="danger"
                        confirm={`Delete the property "${p.key}"? Contacts lose its values.`}
                        run={() =>
                          api(`/api/contact-properties/${p.id}`, { method: 'DELETE' }).then(list.reload)
                        }
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
