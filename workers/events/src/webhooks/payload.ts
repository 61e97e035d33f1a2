// The body a webhook receives for one event, shaped like Resend's webhook events:
// `{ type, created_at, data: { email_id, from, to, subject, created_at, ...what the event adds } }`.
// Built once when the event is stored; every attempt and replay sends the same bytes.
import type { BatchEmail } from '@mailgrid/db/cross-tenant';
import { type MergeContact, renderMergeTags } from '@mailgrid/templates';

export interface PayloadEvent {
  type: string;
  recipient: string | null;
  occurred_at: string;
  data: Record<string, unknown>;
}

/**
 * What a payload says of its email, as the batch read it (`to_addresses` a JSON list, as the emails
 * table keeps it; `broadcast_id`/`merge_data` a broadcast recipient's broadcast and merge values).
 */
export type PayloadEmail = Pick<
  BatchEmail,
  'id' | 'from_address' | 'to_addresses' | 'subject' | 'created_at' | 'broadcast_id' | 'merge_data'
>;

export function webhookPayload(event: PayloadEvent, email: PayloadEmail): string {
  return JSON.stringify({
    type: event.type,
    created_at: event.occurred_at,
    data: {
      email_id: email.id,
      message_id: messageIdOf(email),
      from: email.from_address,
      to: parseList(email.to_addresses),
      subject: sentSubject(email),
      created_at: email.created_at,
      ...(email.broadcast_id ? { broadcast_id: email.broadcast_id } : {}),
      ...(event.recipient ? { recipient: event.recipient } : {}),
      ...specific(event),
      ...machineFlag(event),
    },
  });
}

/**
 * The Message-ID header the send worker wrote (`<email id@the From domain>`, workers/send/src/deliver.ts),
 * rebuilt here rather than stored: it is fixed by the email's id and From.
 */
export function messageIdOf(email: Pick<PayloadEmail, 'id' | 'from_address'>): string {
  const address = /<([^<>]*)>\s*$/.exec(email.from_address)?.[1] ?? email.from_address;
  const domain = address.slice(address.lastIndexOf('@') + 1).trim();
  return `<${email.id}@${/[^\x20-\x7e]/.test(domain) ? punycode(domain) : domain}>`;
}

/** An IDN as the Message-ID has it (buildMime writes its right-hand side in punycode). */
function punycode(domain: string): string {
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return domain;
  }
}

/** The subject as the recipient got it (a broadcast's merge tags filled in). */
function sentSubject(email: PayloadEmail): string {
  if (email.merge_data === null) return email.subject;
  const contact = JSON.parse(email.merge_data) as MergeContact;
  const context = {
    contact: { ...contact, properties: contact.properties ?? {} },
    fallbacks: {},
    unsubscribeUrl: '',
  };
  try {
    return renderMergeTags(email.subject, 'subject', context);
  } catch {
    return email.subject;
  }
}

/** Resend's per-type objects (camelCase inside them, as Resend has it). */
function specific({ type, occurred_at, data }: PayloadEvent): Record<string, unknown> {
  switch (type) {
    case 'email.bounced':
      return {
        bounce: {
          message: data.diagnostic_code ?? '',
          type: data.bounce_type ?? 'Undetermined',
          subType: data.bounce_subtype ?? 'Undetermined',
        },
      };
    case 'email.clicked':
      return {
        click: {
          link: data.link,
          ipAddress: data.ip_address ?? null,
          userAgent: data.user_agent ?? null,
          timestamp: occurred_at,
        },
      };
    case 'email.opened':
      return {
        open: {
          ipAddress: data.ip_address ?? null,
          userAgent: data.user_agent ?? null,
          timestamp: occurred_at,
        },
      };
    case 'email.complained':
      return { complaint: { feedbackType: data.feedback_type ?? null } };
    case 'email.failed':
      return { failed: { reason: data.reason ?? null } };
    case 'email.unsubscribed':
      return { unsubscribe: { topicId: data.topic_id ?? null, timestamp: occurred_at } };
    default:
      return {};
  }
}

/**
 * First-party tracking events say whether a machine (Apple MPP, a link scanner, a bot) made them, and
 * why, so a receiver can leave them out of its own counts. SES's own open/click events have no flag.
 */
function machineFlag({ data }: PayloadEvent): Record<string, unknown> {
  if (typeof data.machine !== 'boolean') return {};
  return { machine: data.machine, machine_reason: data.machine_reason ?? null };
}

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
