// Turns one validated request into an email ready to store: addresses parsed, the sending domain
// checked against the tenant's verified domains (and the key's restriction), sizes and schedule
// checked, the template rendered, suppressed recipients set aside. Throws AppError on bad input;
// writes nothing, and reads D1 only through the accept's read batch (lookups.ts). What goes into
// the message's headers (subject, custom headers, attachments' names, types and content ids) is
// checked with @mailgrid/mime's own checks, the ones buildMime runs: an email accepted here can
// always be built by the consumer.
import {
  AppError,
  attachmentProblem,
  type Caller,
  EMAIL_LIMITS,
  guessContentType,
  type SendEmailRequest,
} from '@mailgrid/contracts';
import {
  type Address,
  base64,
  contentIdProblem,
  contentTypeProblem,
  headerNameProblem,
  headerTextProblem,
  parseAddress,
  RESERVED_HEADERS,
} from '@mailgrid/mime';
import { fetchAttachment } from './attachment-url';
import type { StoredAttachment, StoredBody } from './body-store';
import type { Lookups } from './lookups';
import { optedOutRecipients } from './opt-outs';
import { parseScheduledAt } from './schedule';
import { renderTemplate } from './templates';

export interface PreparedEmail {
  id: string;
  domainId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  body: StoredBody;
  tags: { name: string; value: string }[];
  stream: string;
  trackOpens: boolean | null;
  trackClicks: boolean | null;
  /** The email's topic: its unsubscribe link opts out of this topic. */
  topicId: string | null;
  /** The email's own List-Unsubscribe switch; null: the stream decides. */
  listUnsubscribe: boolean | null;
  scheduledAt: Date | null;
  /** Bare, lower-cased addresses left out because they are suppressed. */
  suppressed: string[];
  /** Whether anyone is left to send to. */
  deliverable: boolean;
}

export interface PrepareOptions {
  /** Local development: attachment URLs may be http and on loopback. */
  allowLocalAttachmentUrls?: boolean;
  /** Uploaded files (R2), for attachments given by `file_id`; without it no file_id resolves. */
  files?: R2Bucket;
  /** The request's reads, shared by a batch's emails (lookups.ts). */
  lookups: Lookups;
}

export async function prepareEmail(
  caller: Caller,
  input: SendEmailRequest,
  now: Date,
  field: string,
  options: PrepareOptions,
): Promise<PreparedEmail> {
  const { lookups } = options;
  const at = (name: string) => (field ? `${field}.${name}` : name);
  // A template's from, reply_to and subject are defaults: what the request gives wins.
  const rendered = input.template ? await renderTemplate(lookups, input.template, at('template')) : null;
  const fromText = input.from ?? rendered?.from ?? null;
  if (fromText === null) {
    throw new AppError(
      'missing_required_field',
      input.template
        ? `${at('from')} is required: template ${input.template.id} has no from address; give one here or on the template.`
        : `${at('from')} is required.`,
    );
  }
  const from = parseAddress(fromText);
  if (!from)
    throw new AppError(
      'invalid_from_address',
      input.from === undefined
        ? `${at('from')}: the template's from address "${fromText}" is not a valid address.`
        : `${at('from')}: "${input.from}" is not a valid address. Use "Name <you@example.com>" or "you@example.com".`,
    );
  const domainName = domainOf(from);
  const domain = await lookups.domain(domainName);
  if (domain?.status !== 'verified') {
    throw new AppError(
      'invalid_from_address',
      `${at('from')}: the ${domainName} domain is not verified. Add and verify it, then send from it.`,
    );
  }
  if (domain.sending === 'disabled') {
    throw new AppError(
      'invalid_from_address',
      `${at('from')}: sending is disabled on the ${domainName} domain (its capabilities.sending); enable it to send from it.`,
    );
  }
  if (caller.domain_id && caller.domain_id !== domain.id) {
    throw new AppError(
      'restricted_api_key',
      `This API key may only send from its own domain, not ${domainName}.`,
    );
  }

  const stream = input.stream ?? 'transactional';
  if ((await lookups.streamType(stream)) === undefined) {
    throw new AppError(
      'invalid_parameter',
      `${at('stream')}: there is no stream "${stream}". Use transactional, broadcast, or one made with POST /api/streams.`,
    );
  }

  const to = addresses(input.to, at('to'));
  const cc = addresses(input.cc, at('cc'));
  const bcc = addresses(input.bcc, at('bcc'));
  const replyTo = addresses(input.reply_to ?? rendered?.replyTo ?? undefined, at('reply_to'));
  if (to.length === 0)
    throw new AppError('missing_required_field', `${at('to')}: at least one recipient is required.`);
  const recipientCount = to.length + cc.length + bcc.length;
  if (recipientCount > EMAIL_LIMITS.recipients) {
    throw new AppError(
      'invalid_parameter',
      `${at('to')}: at most ${EMAIL_LIMITS.recipients} recipients across to, cc and bcc (got ${recipientCount}).`,
    );
  }

  let subject = input.subject ?? null;
  let html = input.html ?? null;
  let text = input.text ?? null;
  const subjectFromTemplate = input.template !== undefined && subject === null;
  if (rendered) {
    subject = subject ?? rendered.subject;
    html = html ?? rendered.html;
    text = text ?? rendered.text;
  }
  if (subject === null || subject === '')
    throw new AppError('missing_required_field', `${at('subject')} is required.`);
  if (subject.length > EMAIL_LIMITS.subject)
    throw new AppError('invalid_parameter', `${at('subject')}: at most ${EMAIL_LIMITS.subject} characters.`);
  const subjectProblem = headerTextProblem(subject);
  if (subjectProblem !== null) {
    throw new AppError(
      'invalid_parameter',
      subjectFromTemplate && input.template
        ? renderedSubjectProblem(at, input.template, subject, subjectProblem)
        : `${at('subject')}: ${subjectProblem}.`,
    );
  }
  if (!html && !text)
    throw new AppError('missing_required_field', `${at('html')} or ${at('text')} is required.`);
  for (const [name, value] of [
    ['html', html],
    ['text', text],
  ] as const) {
    if (value && byteLength(value) > EMAIL_LIMITS.body_bytes) {
      throw new AppError('invalid_parameter', `${at(name)}: at most ${EMAIL_LIMITS.body_bytes / 1024} KB.`);
    }
  }

  const headers = customHeaders(input.headers, at);

  const attachments: StoredAttachment[] = [];
  for (const [index, attachment] of (input.attachments ?? []).entries()) {
    attachments.push(
      await readAttachment(attachment, at(`attachments[${index}]`), {
        lookups,
        allowLocal: options.allowLocalAttachmentUrls ?? false,
        files: options.files,
      }),
    );
  }
  const size =
    byteLength(html ?? '') * 1.4 +
    byteLength(text ?? '') * 1.4 +
    attachments.reduce((sum, a) => sum + a.content.length, 0);
  if (size > EMAIL_LIMITS.message_bytes) {
    throw new AppError(
      'invalid_attachment',
      `${at('attachments')}: the whole message must stay under 40 MB (about ${Math.round(size / 1048576)} MB).`,
    );
  }

  const scheduledAt = input.scheduled_at
    ? parseScheduledAt(input.scheduled_at, now, at('scheduled_at'))
    : null;
  const recipients = [...to, ...cc, ...bcc].map(bareAddress);
  const [onSuppressionList, optedOut] = await Promise.all([
    lookups.suppressed(recipients),
    optedOutRecipients(lookups, stream, input.topic_id ?? null, recipients, at('topic_id')),
  ]);
  // Unsubscribed contacts are left out like suppressed addresses, and listed with them.
  const suppressedSet = new Set([...onSuppressionList, ...optedOut]);
  const keep = (list: string[]) => list.filter((address) => !suppressedSet.has(bareAddress(address)));
  const kept = { to: keep(to), cc: keep(cc), bcc: keep(bcc) };

  return {
    id: crypto.randomUUID(),
    domainId: domain.id,
    from: fromText.trim(),
    ...kept,
    replyTo,
    subject,
    body: { html, text, headers, attachments },
    tags: input.tags ?? [],
    stream,
    trackOpens: input.track_opens ?? null,
    trackClicks: input.track_clicks ?? null,
    topicId: input.topic_id ?? null,
    listUnsubscribe: input.list_unsubscribe ?? null,
    scheduledAt,
    suppressed: [...suppressedSet],
    deliverable: kept.to.length + kept.cc.length + kept.bcc.length > 0,
  };
}

/**
 * The request's custom headers, checked as buildMime checks them: an object of string values, each
 * name a header name Mailgrid does not write itself, each value without control characters.
 */
function customHeaders(given: unknown, at: (name: string) => string): Record<string, string> {
  if (given === undefined) return {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new AppError(
      'invalid_parameter',
      `${at('headers')}: must be an object of header names to string values.`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    // The message builder writes these itself from the request's own fields.
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new AppError(
        'invalid_parameter',
        `${at('headers')}: ${name} is set by Mailgrid from the request's own fields.`,
      );
    }
    const nameProblem = headerNameProblem(name);
    if (nameProblem !== null) {
      throw new AppError('invalid_parameter', `${at('headers')}: ${JSON.stringify(name)} ${nameProblem}.`);
    }
    if (typeof value !== 'string') {
      throw new AppError('invalid_parameter', `${at(`headers.${name}`)}: header values must be strings.`);
    }
    const valueProblem = headerTextProblem(value);
    if (valueProblem !== null) {
      throw new AppError('invalid_parameter', `${at(`headers.${name}`)}: ${valueProblem}.`);
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * A subject the template rendered that buildMime would refuse: the variable that brought the
 * problem in when one did (its value is in the subject and has the problem), else the subject.
 */
function renderedSubjectProblem(
  at: (name: string) => string,
  template: NonNullable<SendEmailRequest['template']>,
  subject: string,
  problem: string,
): string {
  const culprit = Object.entries(template.variables ?? {}).find(
    ([, value]) => typeof value === 'string' && headerTextProblem(value) !== null && subject.includes(value),
  );
  return culprit
    ? `${at(`template.variables.${culprit[0]}`)}: rendered into the subject, it ${problem}.`
    : `${at('subject')} (rendered from template ${template.id}): ${problem}.`;
}

function addresses(value: string | string[] | undefined, field: string): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((raw, index) => {
    if (!parseAddress(raw)) {
      throw new AppError(
        'invalid_parameter',
        `${Array.isArray(value) ? `${field}[${index}]` : field}: "${raw}" is not a valid email address.`,
      );
    }
    return raw.trim();
  });
}

export function bareAddress(raw: string): string {
  return (parseAddress(raw) as Address).email.toLowerCase();
}

function domainOf(address: Address): string {
  return address.email.slice(address.email.lastIndexOf('@') + 1).toLowerCase();
}

interface AttachmentSources {
  lookups: Lookups;
  allowLocal: boolean;
  files: R2Bucket | undefined;
}

/** The attachment's bytes from where the request said, then checked against the refused types. */
async function readAttachment(
  attachment: NonNullable<SendEmailRequest['attachments']>[number],
  field: string,
  sources: AttachmentSources,
): Promise<StoredAttachment> {
  const stored = buildableAttachment(attachment, await attachmentContent(attachment, field, sources), field);
  const problem = attachmentProblem(stored.filename, fromBase64(stored.content.slice(0, 12)));
  if (problem) throw new AppError('invalid_attachment', `${field}: ${problem}.`);
  return stored;
}

/**
 * The attachment as buildMime will take it, by its own checks: a name, type or content id the
 * request gave that it would refuse is a 422 naming the field. A type Mailgrid found itself (the
 * URL's Content-Type, the uploaded file's) that it would refuse gives way to the file name's guess.
 */
function buildableAttachment(
  attachment: NonNullable<SendEmailRequest['attachments']>[number],
  stored: StoredAttachment,
  field: string,
): StoredAttachment {
  const filenameProblem = headerTextProblem(stored.filename);
  if (filenameProblem !== null) {
    throw new AppError(
      'invalid_attachment',
      attachment.filename !== undefined
        ? `${field}.filename: ${filenameProblem}.`
        : `${field}: the file's name ${filenameProblem}; give the attachment a \`filename\`.`,
    );
  }
  let contentType = stored.content_type;
  const typeProblem = contentTypeProblem(contentType);
  if (typeProblem !== null) {
    if (attachment.content_type !== undefined) {
      throw new AppError('invalid_attachment', `${field}.content_type: ${typeProblem}.`);
    }
    contentType = guessContentType(stored.filename);
  }
  if (stored.content_id !== null) {
    const idProblem = contentIdProblem(stored.content_id);
    if (idProblem !== null) throw new AppError('invalid_attachment', `${field}.content_id: ${idProblem}.`);
  }
  return { ...stored, content_type: contentType };
}

async function attachmentContent(
  attachment: NonNullable<SendEmailRequest['attachments']>[number],
  field: string,
  { lookups, allowLocal, files }: AttachmentSources,
): Promise<StoredAttachment> {
  const given = [attachment.content, attachment.path, attachment.file_id].filter((source) => source);
  if (given.length > 1) {
    throw new AppError('invalid_attachment', `${field}: give one of content, path or file_id.`);
  }
  if (attachment.file_id) {
    // Copied into the email now: deleting the file later never breaks an email already accepted.
    const file = await lookups.file(attachment.file_id);
    const object = file && files ? await files.get(file.r2_key) : null;
    if (!file || !object) {
      throw new AppError(
        'invalid_attachment',
        `${field}.file_id: there is no file ${attachment.file_id}; upload it with POST /api/files.`,
      );
    }
    return {
      filename: attachment.filename ?? file.filename,
      content_type: attachment.content_type ?? file.content_type,
      content_id: attachment.content_id ?? null,
      content: base64(new Uint8Array(await object.arrayBuffer())),
    };
  }
  if (attachment.path) {
    const file = await fetchAttachment(attachment.path, field, EMAIL_LIMITS.message_bytes, allowLocal);
    const filename = attachment.filename ?? file.filename;
    return {
      filename,
      content_type: attachment.content_type ?? file.contentType ?? guessContentType(filename),
      content_id: attachment.content_id ?? null,
      content: file.content,
    };
  }
  if (!attachment.content)
    throw new AppError(
      'invalid_attachment',
      `${field}: \`content\` (base64), \`path\` (a URL) or \`file_id\` (an uploaded file) is required.`,
    );
  const content = attachment.content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
    throw new AppError('invalid_attachment', `${field}.content is not valid base64.`);
  }
  if (!attachment.filename) throw new AppError('invalid_attachment', `${field}.filename is required.`);
  return {
    filename: attachment.filename,
    content_type: attachment.content_type ?? guessContentType(attachment.filename),
    content_id: attachment.content_id ?? null,
    content,
  };
}

/** Decodes a whole number of base64 quads (the caller slices on a multiple of 4). */
function fromBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
}

function byteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}
