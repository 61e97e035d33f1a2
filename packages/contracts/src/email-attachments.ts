// An email's attachments as Resend's API shows them (GET /emails/:id/attachments[/:attachment_id]),
// each with a signed download link served by Mailgrid, and the signed public view of one email
// (POST /emails/:id/share). Both links work without an API key until they expire.
import * as v from 'valibot';
import { pageQuery, UuidId } from './paging';
import { ListOf } from './shapes';

export const AttachmentObject = v.pipe(
  v.object({
    object: v.literal('attachment'),
    id: v.string(),
    filename: v.optional(v.string()),
    /** Bytes of the file itself (decoded, not its base64 form). */
    size: v.number(),
    content_type: v.string(),
    /** `inline` when the attachment has a content id (an image the html shows), else `attachment`. */
    content_disposition: v.picklist(['inline', 'attachment']),
    content_id: v.optional(v.string()),
    /** Opens without an API key until `expires_at`; any change to it is refused. */
    download_url: v.string(),
    expires_at: v.string(),
  }),
  v.title('AttachmentObject'),
  v.description('One attachment of a sent email, with a short-lived signed link to its bytes.'),
);
export type AttachmentObject = v.InferOutput<typeof AttachmentObject>;

export const AttachmentList = v.pipe(
  ListOf(AttachmentObject),
  v.title('AttachmentList'),
  v.description("An email's attachments, in the order they were given."),
);
export type AttachmentList = v.InferOutput<typeof AttachmentList>;

export const ListAttachmentsQuery = pageQuery(UuidId('an attachment'));
export type ListAttachmentsQuery = v.InferOutput<typeof ListAttachmentsQuery>;

/** How long a download link lasts: long enough to fetch a large file, short enough to leak little. */
export const ATTACHMENT_LINK_SECONDS = 3600;
/** A share lasts 48 hours unless `expires_in` says otherwise, and at most 30 days. */
export const SHARE_DEFAULT_SECONDS = 48 * 3600;
export const SHARE_MAX_SECONDS = 30 * 24 * 3600;

export const ShareEmailRequest = v.object({
  /** "2 hours", "30 minutes", "7 days", "1 week" (or 2h, 30m, 7d, 1w); default 48 hours, at most 30 days. */
  expires_in: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(40),
      // The shape here, so the gateway refuses it; the units and the 30-day cap are checked by send.
      v.regex(
        /^\s*\d{1,6}\s*[a-z]+\s*$/i,
        'expires_in must be a number and a unit, such as "2 hours", "30 minutes" or "7 days".',
      ),
    ),
  ),
});
export type ShareEmailRequest = v.InferOutput<typeof ShareEmailRequest>;

export const ShareEmailResponse = v.pipe(
  v.object({
    object: v.literal('email'),
    id: v.string(),
    /** A read-only page showing the email; opens without an API key until `expires_at`. */
    url: v.string(),
    expires_at: v.string(),
  }),
  v.title('ShareEmailResponse'),
  v.description('A signed, expiring link to a read-only view of one email.'),
);
export type ShareEmailResponse = v.InferOutput<typeof ShareEmailResponse>;

/** What a share link shows: the envelope and bodies of one email, nothing else of its tenant. */
export interface SharedEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  /** When it was sent (else accepted). */
  date: string;
  html: string | null;
  text: string | null;
  expires_at: string;
}

/** An attachment's bytes, as the download link serves them. */
export interface AttachmentContent {
  filename: string;
  content_type: string;
  content: Uint8Array;
}

/** A signed link's token in a path: `<key id>.<payload>.<signature>`, base64url. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{1,1500}\.[A-Za-z0-9_-]{43}$/;
