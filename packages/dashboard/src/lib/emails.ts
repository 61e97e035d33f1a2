export interface EmailSummary {
  object: 'email';
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  created_at: string;
  scheduled_at: string | null;
  last_event: string;
  tags: { name: string; value: string }[];
  stream: string;
  suppressed: string[];
  error: string | null;
  broadcast_id: string | null;
  message_id: string | null;
}

export interface EmailObject extends EmailSummary {
  html: string | null;
  text: string | null;
}

export interface EmailEvent {
  type: string;
  recipient: string | null;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** The sender's domain, from `Name <a@b>` or `a@b`. */
export const domainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1]?.toLowerCase() ?? '';
