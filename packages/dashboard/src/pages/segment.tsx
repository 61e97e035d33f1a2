// One segment and its contacts.
import { useRoute } from 'preact-iso';
import { AudienceTabs } from '../components/audience-tabs';
import { ContactColumns } from '../components/contact-columns';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Empty, ErrorBox, Loading } from '../components/states';
import type { Contact, Segment } from '../lib/audience';
import { useApi } from '../lib/use-api';
import { useList } from '../lib/use-list';

export function SegmentPage() {
  const { params } = useRoute();
  const segment = useApi<Segment>(`/api/segments/${params.id}`);
  const contacts = useList<Contact>(`/api/segments/${params.id}/contacts?limit=100`);
  if (segment.error) return <ErrorBox error={segment.error} retry={segment.reload} />;
  if (!segment.data) return <Loading what="Loading the segment" />;
  return (
    <Page title={segment.data.name}>
      <AudienceTabs />
      <p>
        <a href="/segments">← All segments</a>
      </p>
      <ListView
        list={contacts}
        loading="Loading its contacts"
        empty={
          <Empty title="No contact in this segment">
            <p>
              Add contacts from their page, or <a href="/imports">import a CSV file</a> into this segment.
            </p>
          </Empty>
        }
        columns={ContactColumns}
      />
      {contacts.data?.has_more && <p class="muted">The first 100 contacts are shown.</p>}
    </Page>
  );
}
