// /u/<token>: the one-click unsubscribe POST (RFC 8058) and the hosted preference page.
// GET and HEAD never change anything (link scanners and prefetchers follow them): only a POST does.
// The signed token in the URL is the only credential, as in every provider's preference centre; the
// page's forms post to that same URL, so there is no session or cookie for a CSRF token to protect.
import {
  type ContactPreferences,
  type PreferencesChange,
  type RpcResult,
  type TrackingEventMessage,
  unwrap,
} from '@mailgrid/contracts';
import type { TrackingClaims } from '@mailgrid/tracking-tokens';
import { sendTrackingEvent, trackingEvent } from '../enqueue';
import type { Env } from '../env';
import { verifiedClaims } from '../hits';
import { invalidLink } from '../pages';
import { htmlResponse, textResponse } from './html';
import { type Outcome, preferencesPage } from './page';

/** Form posts are a few hundred bytes; anything near this is not one of ours. */
const MAX_FORM_BYTES = 16 * 1024;

export async function unsubscribe(request: Request, env: Env, _ctx: ExecutionContext, token: string) {
  const claims = await verifiedClaims(env, token, 'unsubscribe');
  if (!claims) {
    await discardBody(request);
    return invalidLink(request.method);
  }
  if (request.method === 'HEAD') return htmlResponse('');
  if (request.method === 'GET') {
    const preferences = unwrap(await env.PREFERENCES.getPreferences(claims.tenant_id, claims.recipient));
    return htmlResponse(preferencesPage({ preferences, topicId: claims.topic_id, outcome: null }));
  }
  const form = await readForm(request);
  if (form instanceof Response) return form;
  if (form.get('List-Unsubscribe') === 'One-Click') {
    await unsubscribeFromEmail(request, env, claims);
    // The mailbox provider only reads the status; the body is for a person trying it by hand.
    return textResponse('You are unsubscribed.', 200);
  }
  const action = form.get('action');
  if (action === 'unsubscribe') {
    const preferences = await unsubscribeFromEmail(request, env, claims);
    return pageAfter(preferences, claims, 'unsubscribed');
  }
  if (action === 'resubscribe') return pageAfter(await resubscribe(env, claims), claims, 'resubscribed');
  if (action === 'preferences') {
    const chosen = new Set(form.getAll('topic').filter((value) => typeof value === 'string'));
    return pageAfter(await saveTopics(env, claims, chosen), claims, 'saved');
  }
  return textResponse(
    'Send List-Unsubscribe=One-Click, or action=unsubscribe|resubscribe|preferences, as a form body.',
    400,
  );
}

function pageAfter(preferences: ContactPreferences, claims: TrackingClaims, outcome: Outcome): Response {
  return htmlResponse(preferencesPage({ preferences, topicId: claims.topic_id, outcome }));
}

async function readForm(request: Request): Promise<FormData | Response> {
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    await discardBody(request);
    return textResponse('Send a form body (application/x-www-form-urlencoded or multipart/form-data).', 415);
  }
  if (Number(request.headers.get('content-length') ?? 0) > MAX_FORM_BYTES) {
    await discardBody(request);
    return textResponse('The form body is too large.', 413);
  }
  try {
    return await request.formData();
  } catch {
    return textResponse('The form body could not be read.', 400);
  }
}

/**
 * Consumes a body we answer without reading: under `wrangler dev`, a POST forwarded by the gateway
 * whose body is left unread breaks the service-binding connection, and the next request fails.
 * A large one is cancelled rather than read.
 */
async function discardBody(request: Request): Promise<void> {
  if (!request.body) return;
  try {
    if (Number(request.headers.get('content-length') ?? Number.POSITIVE_INFINITY) <= MAX_FORM_BYTES) {
      await request.arrayBuffer();
    } else {
      await request.body.cancel();
    }
  } catch {
    // Gone already: nothing left to consume.
  }
}

/**
 * Opts the recipient out of what the email was about: its topic, else everything. Idempotent: when
 * the recipient is already out, nothing is written and no second event is recorded.
 */
async function unsubscribeFromEmail(
  request: Request,
  env: Env,
  claims: TrackingClaims,
): Promise<ContactPreferences> {
  const current = unwrap(await env.PREFERENCES.getPreferences(claims.tenant_id, claims.recipient));
  if (alreadyOut(current, claims.topic_id)) return current;
  const change: PreferencesChange = claims.topic_id
    ? { topics: [{ id: claims.topic_id, subscribed: false }] }
    : { unsubscribed: true };
  const result = await env.PREFERENCES.updatePreferences(
    claims.tenant_id,
    claims.recipient,
    change,
    claims.email_id,
  );
  // A topic deleted since the email was sent: nothing is sent about it any more, so there is nothing
  // left to opt out of.
  if (!result.ok && result.error.code === 'not_found' && claims.topic_id) return current;
  const updated = unwrap(result);
  await recordUnsubscribe(request, env, claims);
  return updated;
}

/** Out already: unsubscribed from everything, or (visible) opted out of the email's topic. */
function alreadyOut(preferences: ContactPreferences, topicId: string | undefined): boolean {
  if (preferences.unsubscribed) return true;
  // A private topic is not listed, so its state is unknown: the change is applied again (it is
  // idempotent in admin) and the event's id is derived from the email, so it is recorded once.
  return (
    topicId !== undefined && preferences.topics.some((topic) => topic.id === topicId && !topic.subscribed)
  );
}

/** Undoes whichever unsubscribe the page shows: from everything first, else from the email's topic. */
async function resubscribe(env: Env, claims: TrackingClaims): Promise<ContactPreferences> {
  const current = unwrap(await env.PREFERENCES.getPreferences(claims.tenant_id, claims.recipient));
  let change: PreferencesChange | null = null;
  if (current.unsubscribed) change = { unsubscribed: false };
  else if (claims.topic_id) change = { topics: [{ id: claims.topic_id, subscribed: true }] };
  if (!change) return current;
  return unwrap(
    await env.PREFERENCES.updatePreferences(claims.tenant_id, claims.recipient, change, claims.email_id),
  );
}

/**
 * The checked boxes are the topics wanted; only the topics the page shows are read
 * from the form, and only those whose state changes are written.
 */
async function saveTopics(
  env: Env,
  claims: TrackingClaims,
  chosen: Set<string>,
): Promise<ContactPreferences> {
  const current = unwrap(await env.PREFERENCES.getPreferences(claims.tenant_id, claims.recipient));
  const topics = current.topics
    .filter((topic) => topic.subscribed !== chosen.has(topic.id))
    .map((topic) => ({ id: topic.id, subscribed: chosen.has(topic.id) }));
  if (topics.length === 0) return current;
  const result: RpcResult<ContactPreferences> = await env.PREFERENCES.updatePreferences(
    claims.tenant_id,
    claims.recipient,
    { topics },
    claims.email_id,
  );
  return unwrap(result);
}

/**
 * The email.unsubscribed event. Its id is derived from the email, recipient and topic rather than
 * random: a retried or concurrent POST, or a repeat on a private topic whose state the page cannot
 * see, dedupes in the events consumer instead of counting twice.
 */
async function recordUnsubscribe(request: Request, env: Env, claims: TrackingClaims): Promise<void> {
  const event: TrackingEventMessage = {
    ...trackingEvent(env, request, claims, 'unsubscribed', null),
    id: await derivedUuid(
      `unsubscribed\u0000${claims.tenant_id}\u0000${claims.email_id}\u0000${claims.recipient}\u0000${claims.topic_id ?? ''}`,
    ),
  };
  // Awaited (unlike opens and clicks): the event is part of what the POST did. The unsubscribe itself
  // is done and confirmed even if the event is lost (then logged).
  await sendTrackingEvent(env, event);
}

/** A UUID (version 8, RFC 9562) from the SHA-256 of `name`: the same name gives the same id. */
export async function derivedUuid(name: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name))).slice(
    0,
    16,
  );
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
