// Broadcasts as the API returns them (packages/contracts/src/broadcasts.ts), and the merge tags an
// editor offers.

export const BROADCAST_STATUSES = ['draft', 'scheduled', 'queued', 'paused', 'sent', 'canceled'] as const;
/** The outcomes recipients are listed by (GET /api/broadcasts/:id/recipients?type=). */
export const RECIPIENT_TYPES = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
  'suppressed',
] as const;

export interface BroadcastSummary {
  id: string;
  name: string;
  segment_id: string;
  status: string;
  created_at: string;
  scheduled_at: string | null;
  sent_at: string | null;
}

export interface BroadcastObject extends BroadcastSummary {
  from: string;
  subject: string;
  reply_to: string[] | null;
  preview_text: string | null;
  topic_id: string | null;
  html: string | null;
  text: string | null;
  stream: string;
  progress: {
    recipients: number | null;
    sent: number;
    failed: number;
    skipped: number;
    pending: number;
    percentage: number;
    estimated_finish_at: string | null;
  };
  stats: Record<
    'sent' | 'delivered' | 'opened' | 'clicked' | 'bounced' | 'complained' | 'unsubscribed',
    number
  >;
}

export interface Recipient {
  id: string;
  contact_id: string | null;
  email: string;
  status: string;
  count?: number;
  bounce_type?: string;
}

export interface ClickedLink {
  id: string;
  url: string;
  clicks: number;
  unique_clicks: number;
}

/** While a broadcast is one of these its content may change (and it may be deleted). */
export const editable = (status: string) => status === 'draft' || status === 'scheduled';
/** Sending has started and not finished: its progress is polled. */
export const inFlight = (status: string) => status === 'queued' || status === 'scheduled';

/**
 * Resend's merge tags (packages/templates/src/merge-tags.ts): a contact field (`FIRST_NAME`…) or a
 * contact property (`contact.<key>`) with an optional fallback, or the recipient's unsubscribe link.
 */
export const mergeTag = (key: string, fallback = '') =>
  key === 'RESEND_UNSUBSCRIBE_URL'
    ? '{{{RESEND_UNSUBSCRIBE_URL}}}'
    : `{{{${key}${fallback ? `|${fallback}` : ''}}}}`;
