export interface Address {
  name?: string;
  email: string;
}

export interface Attachment {
  filename: string;
  content: Uint8Array;
  /** `type/subtype`, optionally followed by `; parameters`. */
  contentType: string;
  /** When set the attachment is an inline part (`Content-ID: <contentId>`) for `cid:` references in the html. */
  contentId?: string;
}

export interface MimeMessage {
  from: Address;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  /** Bcc recipients are given to SES as destinations and never written into the message. */
  subject: string;
  html?: string;
  text?: string;
  /** Custom headers, written after the standard ones. */
  headers: Record<string, string>;
  attachments: Attachment[];
  /** Full value with brackets, e.g. `<uuid@mail.example.com>`. */
  messageId: string;
  date: Date;
  /**
   * Letters and digits the multipart boundaries are made from instead of chance, so the same message
   * builds to the same bytes every time (a retry, a later download).
   */
  boundarySeed?: string;
}
