// The unsubscribe and preference page a recipient reaches from an email's unsubscribe link: the
// current state, a confirm button, and the topics the contact may see (public ones, and private ones
// it is opted in to) as checkboxes. Every form posts back to the page's own URL (no `action`
// attribute), whose token is the only credential.
import type { ContactPreferences } from '@mailgrid/contracts';
import { document, html, type SafeHtml } from './html';

/** What the page just did, shown as its heading and a status line. */
export type Outcome = 'unsubscribed' | 'resubscribed' | 'saved';

export interface PageInput {
  preferences: ContactPreferences;
  /** The topic the email was about (from the token), if any. */
  topicId: string | undefined;
  outcome: Outcome | null;
}

export function preferencesPage({ preferences, topicId, outcome }: PageInput): string {
  const topic = topicId ? preferences.topics.find((candidate) => candidate.id === topicId) : undefined;
  const heading = outcome ? headingFor(outcome, topic?.name) : 'Email preferences';
  const body = html`<h1>${heading}</h1>
<p class="muted">Emails from <strong>${preferences.sender}</strong> to <span class="address">${preferences.email}</span></p>
${outcome ? html`<p class="status" role="status">${statusFor(outcome, topic?.name)}</p>` : null}
${unsubscribeCard(preferences, topicId, topic)}
${preferences.topics.length > 0 ? topicsCard(preferences) : null}
<p class="muted note">Anyone with the link to this page can change these settings, so please do not forward the email it came from.</p>`;
  return document(heading, body);
}

function headingFor(outcome: Outcome, topicName: string | undefined): string {
  switch (outcome) {
    case 'unsubscribed':
      return 'You are unsubscribed';
    case 'resubscribed':
      return topicName ? `You are subscribed to ${topicName} again` : 'You are subscribed again';
    case 'saved':
      return 'Your preferences are saved';
  }
}

function statusFor(outcome: Outcome, topicName: string | undefined): string {
  switch (outcome) {
    case 'unsubscribed':
      return topicName
        ? `You will no longer receive emails about ${topicName}.`
        : 'You will no longer receive these emails.';
    case 'resubscribed':
      return 'You will receive these emails again.';
    case 'saved':
      return 'Your topic choices below are saved.';
  }
}

function unsubscribeCard(
  preferences: ContactPreferences,
  topicId: string | undefined,
  topic: ContactPreferences['topics'][number] | undefined,
): SafeHtml {
  if (preferences.unsubscribed) {
    return html`<section class="card" aria-labelledby="unsubscribe-heading">
<h2 id="unsubscribe-heading">Unsubscribed from everything</h2>
<p>You will not receive newsletters or other bulk emails from this sender. Messages about your account, such as receipts, can still arrive.</p>
<form method="post"><input type="hidden" name="action" value="resubscribe"><button type="submit" class="secondary">Resubscribe</button></form>
</section>`;
  }
  // A private topic is not in the list, so its state is unknown here: the button stays offered, and
  // pressing it again changes nothing.
  if (topicId && topic && !topic.subscribed) {
    return html`<section class="card" aria-labelledby="unsubscribe-heading">
<h2 id="unsubscribe-heading">Unsubscribed from ${topic.name}</h2>
<p>You no longer receive emails about ${topic.name}.</p>
<form method="post"><input type="hidden" name="action" value="resubscribe"><button type="submit" class="secondary">Subscribe to ${topic.name} again</button></form>
</section>`;
  }
  const what = topicId
    ? topic
      ? html`Stop receiving emails about <strong>${topic.name}</strong>.`
      : html`Stop receiving emails about what this email was about.`
    : html`Stop receiving emails from this sender.`;
  return html`<section class="card" aria-labelledby="unsubscribe-heading">
<h2 id="unsubscribe-heading">Unsubscribe</h2>
<p>${what}</p>
<form method="post"><input type="hidden" name="action" value="unsubscribe"><button type="submit">Unsubscribe</button></form>
</section>`;
}

function topicsCard(preferences: ContactPreferences): SafeHtml {
  const rows = preferences.topics.map((topic, index) => {
    const id = `topic-${index}`;
    // Inside the label, so the description is read with the name and enlarges the tap target.
    const description = topic.description
      ? html`<span class="description">${topic.description}</span>`
      : null;
    return html`<div class="topic">
<input type="checkbox" id="${id}" name="topic" value="${topic.id}"${topic.subscribed ? html` checked` : null}>
<label for="${id}">${topic.name}${description}</label>
</div>`;
  });
  return html`<form method="post" class="card">
<input type="hidden" name="action" value="preferences">
<fieldset>
<legend>Topics</legend>
<p class="muted">${preferences.unsubscribed ? 'These choices apply once you resubscribe.' : 'Choose what you want to receive.'}</p>
${rows}
</fieldset>
<button type="submit">Save preferences</button>
</form>`;
}
