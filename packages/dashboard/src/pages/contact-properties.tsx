// Contact properties: the custom fields contacts carry (and broadcasts merge as {{{key|fallback}}}).
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { AudienceTabs } from '../components/audience-tabs';
import { DeleteButton } from '../components/delete-button';
import { Field, FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Empty } from '../components/states';
import { api } from '../lib/api';
import type { ContactProperty } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useCan } from '../lib/session';
import { useList } from '../lib/use-list';

export function ContactPropertiesPage() {
  const list = useList<ContactProperty>('/api/contact-properties?limit=100');
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
        <FormRow>
          <Field label="New property's key" value={key} placeholder="company" onValue={setKey} />
          <Select
            label="Type"
            value={type}
            onValue={(value) => setType(value as 'string' | 'number')}
            options={[
              ['string', 'Text'],
              ['number', 'Number'],
            ]}
          />
          <Field label="Fallback" value={fallback} onValue={setFallback} />
          <Action run={create}>Create property</Action>
        </FormRow>
      )}
      <ListView
        list={list}
        loading="Loading contact properties"
        empty={
          <Empty title="No contact property yet">
            <p>
              Properties are custom fields (a company, a plan…) set on contacts by API or CSV import, and
              merged into broadcasts as <code>{'{{{key|fallback}}}'}</code>.
            </p>
          </Empty>
        }
        columns={[
          { head: 'Key', cell: (p) => <code>{p.key}</code> },
          { head: 'Type', cell: (p) => p.type },
          { head: 'Fallback', cell: (p) => p.fallback_value ?? '—' },
          { head: 'Created', cell: (p) => formatDate(p.created_at) },
          can.write && {
            cell: (p) => (
              <DeleteButton
                path={`/api/contact-properties/${p.id}`}
                confirm={`Delete the property "${p.key}"? Contacts lose its values.`}
                then={list.reload}
              />
            ),
          },
        ]}
      />
    </Page>
  );
}
