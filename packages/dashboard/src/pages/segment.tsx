// One segment and its contacts.
import { useRoute } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { Page } from '../components/page';
import { Badge, Empty, ErrorBox, Loading } from '../components/states';
import type { List } from '../lib/api';
import type { Contact, Segment } from '../lib/audience';
import { formatDate } from '../lib/format';
import { useApi } from '../lib/use-api';

export function SegmentPage() {
  const { params } = useRoute();
  const segment = useApi<Segment>(`/api/segments/${params.id}`);
  const contacts = useApi<List<Contact>>(`/api/segments/${params.id}/contacts?limit=100`);
  if (segment.error) return <ErrorBox error={segment.error} retry={segment.reload} />;
  if (!segment.data) return <Loading what="Loading the segment" />;
  return (
    <Page title={segment.data.name}>
      <AudienceTabs />
      <p>
        <a href="/segments">← All segments</a>
      </p>
      {contacts.error ? (
        <ErrorBox error={contacts.error} retry={contacts.reload} />
      ) : !contacts.data ? (
        <Loading what="Loading its contacts" />
      ) : contacts.data.data.length === 0 ? (
        <Empty title="No contact in this segment">
          <p>
            Add contacts from their page, or <a href="/imports">import a CSV file</a> into this segment.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Address</th>
                <th>Name</th>
                <th>Subscribed</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {contacts.data.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/contacts/${c.id}`}>{c.email}</a>
                  </td>
                  <td>{[c.first_name, c.last_name].filter(Boolean).join(' ')}</td>
                  <td>{c.unsubscribed ? <Badge value="unsubscribed" /> : 'yes'}</td>
                  <td>{formatDate(c.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {contacts.data?.has_more && <p class="muted">The first 100 contacts are shown.</p>}
    </Page>
  );
}
