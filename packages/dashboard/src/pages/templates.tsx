// Templates: reusable emails sent by id or alias (`template: { id, variables }` in POST /api/emails).
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import type { TemplateSummary } from '../lib/templates';
import { useApi } from '../lib/use-api';

export function TemplatesPage() {
  const list = useApi<List<TemplateSummary>>('/api/templates?limit=100');
  const can = useCan();
  const { route } = useLocation();
  const [name, setName] = useState('');
  return (
    <Page title="Templates">
      {can.write && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <label class="grow">
            New template's name
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <Action
            run={() =>
              api<{ id: string }>('/api/templates', {
                method: 'POST',
                body: {
                  name,
                  html: '<p>Hello {{{NAME}}}</p>',
                  variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
                },
              }).then((created) => route(`/templates/${created.id}`))
            }
          >
            Create template
          </Action>
        </form>
      )}
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading templates" />
      ) : list.data.data.length === 0 ? (
        <Empty title="No template yet">
          <p>
            A template is an email written once and sent many times with variables:{' '}
            <code>{'POST /api/emails { template: { id, variables } }'}</code>. Create one, edit it, publish
            it.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Alias</th>
                <th>Status</th>
                <th>Published</th>
                <th>Changed</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((t) => (
                <tr key={t.id}>
                  <td>
                    <a href={`/templates/${t.id}`}>{t.name}</a>
                  </td>
                  <td>{t.alias ? <code>{t.alias}</code> : '—'}</td>
                  <td>
                    <Badge value={t.status} />
                  </td>
                  <td>{formatDate(t.published_at)}</td>
                  <td>{formatDate(t.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
