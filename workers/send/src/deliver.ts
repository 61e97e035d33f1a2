// Handing one claimed email to SES: the MIME is built once per copy and archived in R2 before SES sees
// it, so a retry sends exactly the archived bytes.
//
// SES takes one raw message for all of to/cc/bcc, and one message cannot carry a token per reader. So
// an email whose copies carry tokens (open or click tracking, List-Unsubscribe) and that has several
// recipients goes out as one copy per recipient (same headers, the envelope naming one address), each
// with its own tokens, archive and receipt: a retry after some copies went out sends only the rest.
//
// An attempt whose outcome was never learned (the worker died, or SES did not answer, after a copy was
// handed over) leaves the next delivery `uncertain`: before sending a copy with no receipt, it looks
// for SES's `Send` event for that copy and, if SES says it took it, records that instead of sending.
//
// A message buildMime refuses is rejected at once (no retry builds it): accept runs buildMime's own
// checks, so this only happens to an email accepted before them, or to a bug.
import { type Db, type EmailRow, getSendSettings, type SendSettings, sesSendEvents } from '@mailgrid/db';
import { buildMime, parseAddress, toAsciiEmail } from '@mailgrid/mime';
import { copyEmlKey, emlKey, getBody, type StoredBody, sentReceiptKey } from './body-store';
import { sharedBody } from './broadcasts/content';
import type { Env } from './env';
import { type SesOutcome, sendRawEmail } from './ses';
import { configurationSetFor } from './streams';
import { trackedContent } from './tracking/content';
import { trackingDecision } from './tracking/settings';

/** buildMime refused the message: the same body will be refused on every attempt. */
class UnbuildableMessage extends Error {
  constructor(cause: unknown) {
    super(`the message could not be built: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * `renewClaim` extends this delivery's lease on the email before each further copy (a long list of
 * copies outlasts one lease); it answers false once another delivery has taken the email over.
 */
export async function deliver(
  env: Env,
  db: Db,
  row: EmailRow,
  renewClaim: () => Promise<boolean>,
  uncertain = false,
): Promise<SesOutcome> {
  try {
    return await deliverOrThrow(env, db, row, renewClaim, uncertain);
  } catch (err) {
    if (err instanceof UnbuildableMessage) return { kind: 'reject', reason: err.message };
    throw err;
  }
}

async function deliverOrThrow(
  env: Env,
  db: Db,
  row: EmailRow,
  renewClaim: () => Promise<boolean>,
  uncertain: boolean,
): Promise<SesOutcome> {
  const to = JSON.parse(row.to_addresses) as string[];
  const cc = JSON.parse(row.cc_addresses) as string[];
  const bcc = JSON.parse(row.bcc_addresses) as string[];
  const settings = await getSendSettings(db, row.tenant_id, row.domain_id, row.stream);
  if (!settings) throw new Error(`the domain of ${row.id} is missing`);
  const tags = JSON.parse(row.tags) as { name: string; value: string }[];
  // What SES said it took, read once and only when an earlier attempt's outcome is unknown.
  let taken: Promise<Map<string | null, string>> | undefined;
  const takenBySes = async (reader: string | null): Promise<string | undefined> => {
    if (!uncertain) return undefined;
    taken ??= sesSendEvents(db, row.tenant_id, row.id).then(
      (events) =>
        new Map(
          events.flatMap((event) => (event.ses_message_id ? [[event.recipient, event.ses_message_id]] : [])),
        ),
    );
    const events = await taken;
    // One copy for all: any Send event of the email is that copy's.
    return reader === null ? [...events.values()][0] : events.get(toAsciiEmail(reader).toLowerCase());
  };
  const send = (raw: Uint8Array, destinations: { to: string[]; cc: string[]; bcc: string[] }) =>
    sendRawEmail(env, {
      from: toAsciiEmail(parseAddress(row.from_address)?.email ?? row.from_address),
      destinations,
      raw,
      configurationSet: configurationSetFor(env, settings, row),
      // Our ids ride along so SES's events find their way back to the email (and tenant).
      tags: [
        ...tags.map((tag) => ({ Name: tag.name, Value: tag.value })),
        { Name: 'mailgrid_email_id', Value: row.id },
        { Name: 'mailgrid_tenant_id', Value: row.tenant_id },
        { Name: 'mailgrid_stream', Value: row.stream },
      ],
    });

  // Read from R2 at most once per delivery, however many copies are built from it.
  let stored: Promise<StoredBody> | undefined;
  const body = () => {
    stored ??= (row.broadcast_id ? sharedBody(env, row.body_key) : getBody(env, row.body_key)).then(
      (found) => {
        if (!found) throw new Error(`the body of ${row.id} is missing from R2`);
        return found;
      },
    );
    return stored;
  };

  const readers = recipients([...to, ...cc, ...bcc]);
  const decision = trackingDecision(env, settings, row);
  if (readers.length > 1 && (decision.opens || decision.clicks || decision.listUnsubscribe)) {
    return deliverEach(env, settings, row, readers, body, send, renewClaim, takenBySes);
  }
  const settled = await takenBySes(null);
  if (settled) return { kind: 'sent', messageId: settled };
  const raw = await archivedOrBuilt(env, settings, row, body, emlKey(row.tenant_id, row.id), null);
  // SES wants the envelope in ASCII: IDN domains as punycode.
  const ascii = (list: string[]) =>
    list.map((address) => toAsciiEmail(parseAddress(address)?.email ?? address));
  return send(raw, { to: ascii(to), cc: ascii(cc), bcc: ascii(bcc) });
}

/** One copy per reader, in order; the first refusal stops the rest until the next attempt. */
async function deliverEach(
  env: Env,
  settings: SendSettings,
  row: EmailRow,
  readers: string[],
  body: () => Promise<StoredBody>,
  send: (raw: Uint8Array, destinations: { to: string[]; cc: string[]; bcc: string[] }) => Promise<SesOutcome>,
  renewClaim: () => Promise<boolean>,
  takenBySes: (reader: string) => Promise<string | undefined>,
): Promise<SesOutcome> {
  let first: string | undefined;
  for (const [index, reader] of readers.entries()) {
    // The delivery that took the email over sends the rest (the receipts tell it what went out).
    if (index > 0 && !(await renewClaim())) throw new Error('the claim on the email was lost mid-send');
    const receiptKey = `${sentReceiptKey(row.tenant_id, row.id)}/${index}`;
    const receipt = row.attempts > 0 ? await env.ARCHIVE.get(receiptKey) : null;
    let messageId = receipt ? await receipt.text() : await takenBySes(reader);
    if (messageId && !receipt) await env.ARCHIVE.put(receiptKey, messageId);
    if (!messageId) {
      const key = copyEmlKey(row.tenant_id, row.id, index);
      const raw = await archivedOrBuilt(env, settings, row, body, key, reader);
      const outcome = await send(raw, { to: [toAsciiEmail(reader)], cc: [], bcc: [] });
      if (outcome.kind !== 'sent') return outcome;
      await env.ARCHIVE.put(receiptKey, outcome.messageId);
      messageId = outcome.messageId;
    }
    first ??= messageId;
  }
  return { kind: 'sent', messageId: first as string };
}

/** Bare, lower-cased and each once: the addresses SES delivers to (a copy each, when copies are made). */
export function recipients(addresses: string[]): string[] {
  return [...new Set(addresses.map((address) => (parseAddress(address)?.email ?? address).toLowerCase()))];
}

/**
 * The EML at `key`, built and archived on the first attempt. `reader` is the one address a copy's
 * tokens name (null: the email's first recipient, when there is one copy for all).
 */
async function archivedOrBuilt(
  env: Env,
  settings: SendSettings,
  row: EmailRow,
  loadBody: () => Promise<StoredBody>,
  key: string,
  reader: string | null,
): Promise<Uint8Array> {
  // Only an earlier attempt (whose claim counted in `attempts`) can have archived it.
  const archived = row.attempts > 0 ? await env.ARCHIVE.get(key) : null;
  if (archived) return new Uint8Array(await archived.arrayBuffer());
  const body = await loadBody();
  const from = parseAddress(row.from_address);
  if (!from) throw new Error(`stored from address of ${row.id} does not parse`);
  const domain = from.email.slice(from.email.lastIndexOf('@') + 1);
  const parse = (list: string) =>
    (JSON.parse(list) as string[]).flatMap((address) => parseAddress(address) ?? []);
  const now = new Date();
  // Links, open pixel and List-Unsubscribe go in before the build, so the archive holds them too.
  const { subject, html, text, headers } = await trackedContent(
    env,
    settings,
    row,
    body,
    domain,
    now,
    reader,
  );
  let mime: string;
  try {
    mime = buildMime({
      from,
      to: parse(row.to_addresses),
      cc: parse(row.cc_addresses),
      replyTo: parse(row.reply_to),
      subject,
      html: html ?? undefined,
      text: text ?? undefined,
      headers,
      attachments: body.attachments.map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.content_type,
        contentId: attachment.content_id ?? undefined,
        content: fromBase64(attachment.content),
      })),
      messageId: `<${row.id}@${domain}>`,
      date: now,
    });
  } catch (err) {
    throw new UnbuildableMessage(err);
  }
  const bytes = new TextEncoder().encode(mime);
  await env.ARCHIVE.put(key, bytes, { httpMetadata: { contentType: 'message/rfc822' } });
  return bytes;
}

function fromBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
