// One template: its draft (name, subject, from, html, text, variables) edited and saved, a preview
// with sample values in a sandboxed frame, and publishing (sends use the published version).
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { Action } from '../components/action';
import { DeleteButton } from '../components/delete-button';
import { Page } from '../components/page';
import { Badge, ErrorBox, Loading } from '../components/states';
import { Table } from '../components/table';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { previewHtml, type TemplateObject, type TemplateVariable } from '../lib/templates';
import { useApi } from '../lib/use-api';

export function TemplatePage() {
  const { params } = useRoute();
  const template = useApi<TemplateObject>(`/api/templates/${params.id}`);
  if (template.error) return <ErrorBox error={template.error} retry={template.reload} />;
  if (!template.data) return <Loading what="Loading the template" />;
  return <Editor key={template.data.updated_at} template={template.data} reload={template.reload} />;
}

function Editor({ template: t, reload }: { template: TemplateObject; reload: () => void }) {
  const can = useCan();
  const { route } = useLocation();
  const [name, setName] = useState(t.name);
  const [subject, setSubject] = useState(t.subject ?? '');
  const [from, setFrom] = useState(t.from ?? '');
  const [html, setHtml] = useState(t.html);
  const [text, setText] = useState(t.text ?? '');
  const [variables, setVariables] = useState<TemplateVariable[]>(t.variables);
  const [values, setValues] = useState<Record<string, string>>({});
  const changed = (row: number, patch: Partial<TemplateVariable>) =>
    setVariables((all) => all.map((v, i) => (i === row ? { ...v, ...patch } : v)));
  const save = () =>
    api(`/api/templates/${t.id}`, {
      method: 'PATCH',
      body: {
        name,
        subject: subject || null,
        from: from || null,
        html,
        text: text || null,
        variables: variables.map((v) => ({
          ...v,
          fallback_value:
            v.fallback_value === '' || v.fallback_value === null
              ? null
              : v.type === 'number'
                ? Number(v.fallback_value)
                : String(v.fallback_value),
        })),
      },
    }).then(reload);
  const readOnly = !can.write;
  return (
    <Page
      title={t.name}
      actions={
        can.write && (
          <>
            <Action kind="primary" run={save}>
              Save draft
            </Action>
            <Action run={() => api(`/api/templates/${t.id}/publish`, { method: 'POST' }).then(reload)}>
              Publish
            </Action>
            <Action
              run={() =>
                api<{ id: string }>(`/api/templates/${t.id}/duplicate`, { method: 'POST' }).then((copy) =>
                  route(`/templates/${copy.id}`),
                )
              }
            >
              Duplicate
            </Action>
            <DeleteButton
              path={`/api/templates/${t.id}`}
              confirm={`Delete the template "${t.name}"? Sends naming it will be refused.`}
              then={() => route('/templates')}
            />
          </>
        )
      }
    >
      <p>
        <a href="/templates">← All templates</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={t.status} />
          {t.has_unpublished_versions && ' (the draft has changes not yet published)'}
        </dd>
        <dt>Published</dt>
        <dd>{formatDate(t.published_at)}</dd>
        <dt>ID</dt>
        <dd>
          <code>{t.id}</code>
          {t.alias && (
            <>
              {' '}
              or <code>{t.alias}</code>
            </>
          )}
        </dd>
      </dl>
      <fieldset class="editor" disabled={readOnly}>
        <label>
          Name
          <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <div class="two">
          <label>
            Subject
            <input value={subject} onInput={(event) => setSubject(event.currentTarget.value)} />
          </label>
          <label>
            From
            <input
              value={from}
              onInput={(event) => setFrom(event.currentTarget.value)}
              placeholder="(given by each send)"
            />
          </label>
        </div>
        <h2>Variables</h2>
        <Table
          class="variables"
          rows={variables}
          rowKey={(_, i) => i}
          columns={[
            {
              head: 'Key',
              cell: (v, i) => (
                <input
                  aria-label="Key"
                  value={v.key}
                  onInput={(event) => changed(i, { key: event.currentTarget.value })}
                />
              ),
            },
            {
              head: 'Type',
              cell: (v, i) => (
                <select
                  aria-label="Type"
                  value={v.type}
                  onChange={(event) => changed(i, { type: event.currentTarget.value as 'string' | 'number' })}
                >
                  <option value="string">string</option>
                  <option value="number">number</option>
                </select>
              ),
            },
            {
              head: 'Fallback',
              cell: (v, i) => (
                <input
                  aria-label="Fallback"
                  value={v.fallback_value ?? ''}
                  onInput={(event) => changed(i, { fallback_value: event.currentTarget.value })}
                />
              ),
            },
            {
              head: 'Preview value',
              cell: (v) => (
                <input
                  aria-label={`Preview value of ${v.key}`}
                  value={values[v.key] ?? ''}
                  onInput={(event) => setValues({ ...values, [v.key]: event.currentTarget.value })}
                />
              ),
            },
            !readOnly && {
              cell: (_, i) => (
                <button
                  type="button"
                  class="link"
                  onClick={() => setVariables(variables.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              ),
            },
          ]}
        />
        {!readOnly && (
          <p>
            <button
              type="button"
              onClick={() => setVariables([...variables, { key: '', type: 'string', fallback_value: null }])}
            >
              Add variable
            </button>
          </p>
        )}
        <div class="two">
          <label>
            HTML
            <textarea
              rows={16}
              spellcheck={false}
              value={html}
              onInput={(event) => setHtml(event.currentTarget.value)}
            />
          </label>
          <div class="preview">
            <span class="label">Preview</span>
            <iframe sandbox="" title="Template preview" srcdoc={previewHtml(html, variables, values)} />
          </div>
        </div>
        <label>
          Text (left empty: generated from the html)
          <textarea rows={5} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        </label>
      </fieldset>
    </Page>
  );
}
