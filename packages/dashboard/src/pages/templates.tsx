// Templates: reusable emails sent by id or alias (`template: { id, variables }` in POST /api/emails).
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Action } from '../components/action';
import { Field, FormRow } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge, Empty } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import type { TemplateSummary } from '../lib/templates';
import { useList } from '../lib/use-list';

export function TemplatesPage() {
  const list = useList<TemplateSummary>('/api/templates?limit=100');
  const can = useCan();
  const { route } = useLocation();
  const [name, setName] = useState('');
  return (
    <Page title="Templates">
      {can.write && (
        <FormRow>
          <Field label="New template's name" class="grow" value={name} onValue={setName} />
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
        </FormRow>
      )}
      <ListView
        list={list}
        loading="Loading templates"
        empty={
          <Empty title="No template yet">
            <p>
              A template is an email written once and sent many times with variables:{' '}
              <code>{'POST /api/emails { template: { id, variables } }'}</code>. Create one, edit it, publish
              it.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Name', cell: (t) => <a href={`/templates/${t.id}`}>{t.name}</a> },
          { head: 'Alias', cell: (t) => (t.alias ? <code>{t.alias}</code> : '—') },
          { head: 'Status', cell: (t) => <Badge value={t.status} /> },
          { head: 'Published', cell: (t) => formatDate(t.published_at) },
          { head: 'Changed', cell: (t) => formatDate(t.updated_at) },
        ]}
      />
    </Page>
  );
}
