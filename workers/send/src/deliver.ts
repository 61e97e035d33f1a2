// Handing one claimed email to SES. The MIME is built deterministically — its Date and tokens' issue
// time from the row's `message_date` (fixed by the first claim), its multipart boundaries from the
// email's id — so every attempt hands SES the same bytes and the same Message-ID without an archive,
// and raw.ts can rebuild what was sent.
//
// SES takes one raw message for all of to/cc/bcc, and one message cannot carry a token per reader. So
// an email whose copies carry tokens (open or click tracking, List-Unsubscribe) and that has several
// recipients goes out as one copy per recipient (same headers, the envelope naming one address), each
// with its own tokens: a retry after some copies went out sends only the rest. What SES took is the
// `ses_receipts` list (SES's message ids in copy order, always a prefix of the copies; one message for
// all is every reader's): carried to D1 with the claim's renewal before each further copy and with
// the attempt's outcome.
//
// An attempt whose outcome was never learned (the worker died, SES did not answer, or D1 lost what SES
// answered) leaves the next delivery `uncertain`: before sending a copy with no receipt, it looks for
// SES's `Send` event for that copy and, if SES says it took it, records that instead of sending.
//
// A message buildMime refuses is rejected at once (no retry builds it): accept runs buildMime's own
// checks, so this only happens to an email accepted before them, or to a bug.
import { createDb, type EmailRow, getSendSettings, type SendSettings, sesSendEvents } from '@mailgrid/db';
import { buildMime, parseAddress, toAsciiEmail } from '@mailgrid/mime';
import { readBody, type StoredBody, sentReceiptKey } from './body-store';
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

/** SES's answer, or our own failure (`error`: a missing body, R2 or D1 down, a lost claim). */
export type DeliverOutcome = SesOutcome | { kind: 'error'; reason: string };

export interface Delivery {
  outcome: DeliverOutcome;
  /** SES's message ids of the copies it has taken (this attempt's and earlier ones'), in copy order. */
  receipts: string[];
}

export interface DeliverOptions {
  /** The email's domain and stream settings, when the caller read them with the row. */
  settings?: SendSettings | undefined;
  /** The message's Date (the row's `message_date`, or the claim's time when it set it). */
  date: Date;
  /**
   * Extends this delivery's lease before each further copy (a long list of copies outlasts one lease),
   * recording the receipts so far; false once another delivery has taken the email over.
   */
  renewClaim: (receipts: string[]) => Promise<boolean>;
  /** An earlier attempt's outcome is unknown: ask SES's Send events before sending a copy. */
  uncertain: boolean;
}

/** Never throws: whatever happens, the receipts of the copies SES took come back with the outcome. */
export async function deliver(
  env: Env,
  d1: D1Database,
  row: EmailRow,
  options: DeliverOptions,
): Promise<Delivery> {
  const receipts: string[] = [];
  try {
    receipts.push(...(await knownReceipts(env, row)));
    return { outcome: await deliverOrThrow(env, d1, row, options, receipts), receipts };
  } catch (err) {
    if (err instanceof UnbuildableMessage)
      return { outcome: { kind: 'reject', reason: err.message }, receipts };
    return { outcome: { kind: 'error', reason: `internal error: ${String(err)}` }, receipts };
  }
}

/**
 * The receipts earlier attempts recorded: the row's, or for an email a consumer from before
 * 0023_send_writes tried (no `message_date`), the R2 receipts it wrote.
 */
async function knownReceipts(env: Env, row: EmailRow): Promise<string[]> {
  if (row.ses_receipts !== null) return JSON.parse(row.ses_receipts) as string[];
  if (row.attempts === 0 || row.message_date !== null) return [];
  const key = sentReceiptKey(row.tenant_id, row.id);
  const single = await env.ARCHIVE.get(key);
  if (single) return [await single.text()];
  const copies: string[] = [];
  for (
    let copy = await env.ARCHIVE.get(`${key}/0`);
    copy;
    copy = await env.ARCHIVE.get(`${key}/${copies.length}`)
  ) {
    copies.push(await copy.text());
  }
  return copies;
}

async function deliverOrThrow(
  env: Env,
  d1: D1Database,
  row: EmailRow,
  options: DeliverOptions,
  receipts: string[],
): Promise<SesOutcome> {
  const db = createDb(d1);
  const to = JSON.parse(row.to_addresses) as string[];
  const cc = JSON.parse(row.cc_addresses) as string[];
  const bcc = JSON.parse(row.bcc_addresses) as string[];
  const settings = options.settings ?? (await getSendSettings(db, row.tenant_id, row.domain_id, row.stream));
  if (!settings) throw new Error(`the domain of ${row.id} is missing`);
  const tags = JSON.parse(row.tags) as { name: string; value: string }[];
  // What SES said it took, read once and only when an earlier attempt's outcome is unknown.
  let taken: Promise<Map<string | null, string>> | undefined;
  const takenBySes = async (reader: string | null): Promise<string | undefined> => {
    if (!options.uncertain) return undefined;
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

  // Read at most once per delivery, however many copies are built from it.
  let stored: Promise<StoredBody> | undefined;
  const body = () => {
    stored ??= loadBody(env, row);
    return stored;
  };
  const build = async (reader: string | null, copy: number | null) =>
    buildMessage(env, settings, row, await body(), { reader, copy, date: options.date });

  const readers = copyReaders(env, settings, row);
  // One message for all is every reader's copy: should a retry go out as a copy per reader (the
  // tracking settings changed meanwhile), none is sent again.
  const allReaders = (messageId: string) => recipients([...to, ...cc, ...bcc]).map(() => messageId);
  if (readers) {
    let first = true;
    for (const [index, reader] of readers.entries()) {
      if (index < receipts.length) continue;
      // The claim was just taken for the first copy; before each further one it is renewed (with the
      // receipts so far), and the delivery that took the email over sends the rest.
      if (!first && !(await options.renewClaim(receipts))) {
        throw new Error('the claim on the email was lost mid-send');
      }
      first = false;
      let messageId = await takenBySes(reader);
      if (!messageId) {
        const outcome = await send(await build(reader, index), {
          to: [toAsciiEmail(reader)],
          cc: [],
          bcc: [],
        });
        if (outcome.kind !== 'sent') return outcome;
        messageId = outcome.messageId;
      }
      receipts.push(messageId);
    }
    return { kind: 'sent', messageId: receipts[0] as string };
  }
  const known = receipts[0] ?? (await takenBySes(null));
  if (known) {
    if (receipts.length === 0) receipts.push(...allReaders(known));
    return { kind: 'sent', messageId: known };
  }
  // SES wants the envelope in ASCII: IDN domains as punycode.
  const ascii = (list: string[]) =>
    list.map((address) => toAsciiEmail(parseAddress(address)?.email ?? address));
  const outcome = await send(await build(null, null), { to: ascii(to), cc: ascii(cc), bcc: ascii(bcc) });
  if (outcome.kind === 'sent') receipts.push(...allReaders(outcome.messageId));
  return outcome;
}

/** The email's body: a broadcast's shared one (kept by the isolate), else its own. */
export async function loadBody(env: Env, row: EmailRow): Promise<StoredBody> {
  const found = await (row.broadcast_id && row.body === null
    ? sharedBody(env, row.body_key)
    : readBody(env, row));
  if (!found) throw new Error(`the body of ${row.id} is missing from R2`);
  return found;
}

/**
 * The readers of an email that goes out as one copy per reader (tokens and several recipients), in
 * copy order; null when it goes out as one message for all.
 */
export function copyReaders(env: Env, settings: SendSettings, row: EmailRow): string[] | null {
  const readers = recipients(
    [row.to_addresses, row.cc_addresses, row.bcc_addresses].flatMap((list) => JSON.parse(list) as string[]),
  );
  const decision = trackingDecision(env, settings, row);
  return readers.length > 1 && (decision.opens || decision.clicks || decision.listUnsubscribe)
    ? readers
    : null;
}

/** Bare, lower-cased and each once: the addresses SES delivers to (a copy each, when copies are made). */
export function recipients(addresses: string[]): string[] {
  return [...new Set(addresses.map((address) => (parseAddress(address)?.email ?? address).toLowerCase()))];
}

/**
 * The EML of the email, or of one reader's copy (`reader` is the one address its tokens name, `copy`
 * its index; null: the email's first recipient, one message for all). The same inputs give the same
 * bytes: `date` is the message's fixed Date and the boundaries come from the email id and copy.
 */
export async function buildMessage(
  env: Env,
  settings: SendSettings,
  row: EmailRow,
  body: StoredBody,
  target: { reader: string | null; copy: number | null; date: Date },
): Promise<Uint8Array> {
  const from = parseAddress(row.from_address);
  if (!from) throw new Error(`stored from address of ${row.id} does not parse`);
  const domain = from.email.slice(from.email.lastIndexOf('@') + 1);
  const parse = (list: string) =>
    (JSON.parse(list) as string[]).flatMap((address) => parseAddress(address) ?? []);
  // Links, open pixel and List-Unsubscribe go in before the build.
  const { subject, html, text, headers } = await trackedContent(
    env,
    settings,
    row,
    body,
    domain,
    target.date,
    target.reader,
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
      date: target.date,
      boundarySeed: `${row.id.replace(/[^0-9A-Za-z]/g, '')}${target.copy === null ? '' : `c${target.copy}`}`,
    });
  } catch (err) {
    throw new UnbuildableMessage(err);
  }
  return new TextEncoder().encode(mime);
}

function fromBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
