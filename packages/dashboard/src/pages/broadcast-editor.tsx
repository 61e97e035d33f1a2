// A broadcast's content: name, from, subject, preview text, segment, topic and html (with a
// merge-tag picker and a sandboxed preview). New (`/broadcasts/new`) it creates a draft; otherwise it
// changes the draft or scheduled broadcast it was given.
import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Field, Select } from '../components/forms';
import { Page } from '../components/page';
import { ErrorBox, InlineError, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import type { ContactProperty, Segment, Topic } from '../lib/audience';
import { type BroadcastObject, mergeTag } from '../lib/broadcasts';
import { useApi } from '../lib/use-api';
import { useRun } from '../lib/use-run';

const FIELDS = ['name', 'from', 'subject', 'preview_text', 'segment_id', 'topic_id', 'html'] as const;
type Draft = Record<(typeof FIELDS)[number], string>;

const STARTER =
  '<p>Hello {{{FIRST_NAME|there}}},</p>\n<p>…</p>\n<p><a href="{{{RESEND_UNSUBSCRIBE_URL}}}">Unsubscribe</a></p>';

export function NewBroadcastPage() {
  const { route } = useLocation();
  return (
    <Page title="New broadcast">
      <p>
        <a href="/broadcasts">← All broadcasts</a>
      </p>
      <BroadcastEditor onSaved={(id) => route(`/broadcasts/${id}`)} submitLabel="Create draft" />
    </Page>
  );
}

export function BroadcastEditor({
  broadcast,
  onSaved,
  submitLabel = 'Save',
}: {
  broadcast?: BroadcastObject;
  onSaved: (id: string) => void;
  submitLabel?: string;
}) {
  const segments = useApi<List<Segment>>('/api/segments?limit=100');
  const topics = useApi<List<Topic>>('/api/topics?limit=100');
  const [draft, setDraft] = useState<Draft>(
    () =>
      Object.fromEntries(
        FIELDS.map((f) => [f, broadcast ? String(broadcast[f] ?? '') : f === 'html' ? STARTER : '']),
      ) as Draft,
  );
  const [saved, setSaved] = useState(false);
  const html = useRef<HTMLTextAreaElement>(null);
  const set = (field: keyof Draft) => (event: { currentTarget: { value: string } }) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [field]: event.currentTarget.value }));
  };
  /** Puts `text` where the html's cursor is (or at its end). */
  const insert = (text: string) => {
    const area = html.current;
    const at = area ? area.selectionStart : draft.html.length;
    const end = area ? area.selectionEnd : at;
    setSaved(false);
    setDraft((d) => ({ ...d, html: d.html.slice(0, at) + text + d.html.slice(end) }));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(at + text.length, at + text.length);
    });
  };
  const { busy, error, start } = useRun(async () => {
    const body = {
      name: draft.name,
      from: draft.from,
      subject: draft.subject,
      segment_id: draft.segment_id,
      html: draft.html,
      // Empty clears these (null), rather than sending an empty string the API would refuse.
      preview_text: draft.preview_text || null,
      topic_id: draft.topic_id || null,
    };
    const result = broadcast
      ? await api<{ id: string }>(`/api/broadcasts/${broadcast.id}`, { method: 'PATCH', body })
      : await api<{ id: string }>('/api/broadcasts', { method: 'POST', body });
    setSaved(true);
    onSaved(result.id);
  });
  if (segments.error) return <ErrorBox error={segments.error} retry={segments.reload} />;
  if (!segments.data || !topics.data) return <Loading what="Loading segments and topics" />;
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <label>
        Name
        <input required name="name" value={draft.name} onInput={set('name')} placeholder="March newsletter" />
      </label>
      <label>
        From
        <input
          required
          name="from"
          value={draft.from}
          onInput={set('from')}
          placeholder="News <news@your-domain>"
        />
      </label>
      <label>
        Subject
        <input required name="subject" value={draft.subject} onInput={set('subject')} />
      </label>
      <label>
        Preview text
        <input
          name="preview_text"
          value={draft.preview_text}
          onInput={set('preview_text')}
          placeholder="Shown after the subject"
        />
      </label>
      <div class="two">
        <label>
          Segment
          <select required name="segment_id" value={draft.segment_id} onChange={set('segment_id')}>
            <option value="">Choose a segment…</option>
            {segments.data.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          {segments.data.data.length === 0 && (
            <span class="muted">
              No segment yet: <a href="/segments">create one</a> and add contacts to it.
            </span>
          )}
        </label>
        <label>
          Topic
          <select name="topic_id" value={draft.topic_id} onChange={set('topic_id')}>
            <option value="">None (every contact of the segment)</option>
            {topics.data.data.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <MergeTags onInsert={insert} />
      <div class="two">
        <label>
          HTML
          <textarea
            ref={html}
            required
            rows={16}
            name="html"
            value={draft.html}
            onInput={set('html')}
            spellcheck={false}
          />
        </label>
        <div class="preview">
          <span class="label">Preview</span>
          <iframe sandbox="" title="Broadcast preview" srcdoc={draft.html} />
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel}
        </button>
        {saved && <span role="status">Saved.</span>}
        <InlineError error={error} />
      </div>
    </form>
  );
}

/** Contact fields, the tenant's contact properties and the unsubscribe link, inserted as merge tags. */
function MergeTags({ onInsert }: { onInsert: (tag: string) => void }) {
  const properties = useApi<List<ContactProperty>>('/api/contact-properties?limit=100');
  const [key, setKey] = useState('FIRST_NAME');
  const [fallback, setFallback] = useState('');
  const keys = [
    'FIRST_NAME',
    'LAST_NAME',
    'EMAIL',
    ...(properties.data?.data.map((p) => `contact.${p.key}`) ?? []),
  ];
  return (
    <fieldset class="filters merge-tags">
      <legend>Merge tag</legend>
      <Select
        label="Field"
        value={key}
        onValue={setKey}
        options={[...keys, ['RESEND_UNSUBSCRIBE_URL', 'Unsubscribe link']]}
      />
      {key !== 'RESEND_UNSUBSCRIBE_URL' && <Field label="Fallback" value={fallback} onValue={setFallback} />}
      <button type="button" onClick={() => onInsert(mergeTag(key, fallback))}>
        Insert {mergeTag(key, fallback)}
      </button>
    </fieldset>
  );
}
