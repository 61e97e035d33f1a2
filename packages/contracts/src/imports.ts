// CSV import of contacts (a Mailgrid extra): POST /contacts/imports takes the file as the raw body,
// the admin worker processes it in chunks through the imports queue, and the import object reports
// progress, exact counts and a per-row error report.
import * as v from 'valibot';
import type { Caller } from './caller';
import { Limit, pageQuery, UuidId } from './paging';
import type { QueueMessageBase } from './queues';
import type { RpcResult } from './rpc-result';
import { ListOf } from './shapes';

export const IMPORT_LIMITS = {
  /** Data rows per queue message: one D1 batch each, so no single invocation runs long. */
  chunk_rows: 1000,
  /** first_name / last_name, and string property values, in characters (as the Contacts API). */
  name_length: 255,
  value_length: 2000,
  email_length: 320,
  errors_page: 1000,
} as const;

/** The columns every import understands; any other column must name a declared contact property. */
export const IMPORT_FIELDS = ['email', 'first_name', 'last_name', 'unsubscribed'] as const;

/** Why a row failed, the first problem found (a row's `message` names every problem). */
export const IMPORT_ERROR_REASONS = [
  'malformed_row',
  'invalid_email',
  'duplicate_email',
  'unknown_property',
  'invalid_property_type',
  'invalid_value',
] as const;
export type ImportErrorReason = (typeof IMPORT_ERROR_REASONS)[number];

export const CreateImportQuery = v.object({
  segment_id: v.optional(v.pipe(v.string(), v.minLength(1, 'segment_id must not be empty'))),
});
export type CreateImportQuery = v.InferOutput<typeof CreateImportQuery>;

export const ListImportsQuery = pageQuery(UuidId('an import'));
export type ListImportsQuery = v.InferOutput<typeof ListImportsQuery>;

/** Errors are ordered by row; `after` is a row number: the page starts after it. */
export const ListImportErrorsQuery = v.object({
  limit: Limit(IMPORT_LIMITS.errors_page, 100),
  after: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'after must be a row number'), v.transform(Number))),
});
export type ListImportErrorsQuery = v.InferOutput<typeof ListImportErrorsQuery>;

export const CONTACT_IMPORT_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type ContactImportStatus = (typeof CONTACT_IMPORT_STATUSES)[number];

export const CreateImportResponse = v.pipe(
  v.object({ object: v.literal('contact_import'), id: v.string(), status: v.literal('queued') }),
  v.title('CreateImportResponse'),
  v.description('An import accepted and queued; follow it with GET /contacts/imports/:id.'),
);
export type CreateImportResponse = v.InferOutput<typeof CreateImportResponse>;

export const ContactImportObject = v.pipe(
  v.object({
    object: v.literal('contact_import'),
    id: v.string(),
    status: v.picklist(CONTACT_IMPORT_STATUSES),
    segment_id: v.nullable(v.string()),
    /** The header row as given. */
    columns: v.array(v.string()),
    /** Header columns that name no contact field or declared property: a row with a value there fails. */
    unknown_columns: v.array(v.string()),
    total_rows: v.number(),
    /** Rows done so far, failed ones included: created + updated + unchanged + failed. */
    processed: v.number(),
    created: v.number(),
    updated: v.number(),
    unchanged: v.number(),
    failed: v.number(),
    /** Why the import as a whole failed, else null. */
    error: v.nullable(v.string()),
    created_at: v.string(),
    started_at: v.nullable(v.string()),
    completed_at: v.nullable(v.string()),
  }),
  v.title('ContactImportObject'),
  v.description('A CSV import of contacts: its progress and exact counts.'),
);
export type ContactImportObject = v.InferOutput<typeof ContactImportObject>;

export const ContactImportList = v.pipe(
  ListOf(ContactImportObject),
  v.title('ContactImportList'),
  v.description('A page of contact imports.'),
);
export type ContactImportList = v.InferOutput<typeof ContactImportList>;

export const ContactImportError = v.pipe(
  v.object({
    /** The record's position in the file, the header being row 1. */
    row: v.number(),
    /** The email cell as given (null when the row had none). */
    email: v.nullable(v.string()),
    reason: v.picklist(IMPORT_ERROR_REASONS),
    message: v.string(),
  }),
  v.title('ContactImportError'),
  v.description('A row of the file that failed, and why.'),
);
export type ContactImportError = v.InferOutput<typeof ContactImportError>;

export const ContactImportErrorList = v.pipe(
  ListOf(ContactImportError),
  v.title('ContactImportErrorList'),
  v.description("A page of an import's failed rows, by row number."),
);
export type ContactImportErrorList = v.InferOutput<typeof ContactImportErrorList>;

export interface ImportsAdminRpc {
  /** Checks the header, stores the file in R2, queues its chunks; answers before any row is written. */
  createContactImport(
    caller: Caller,
    csv: Uint8Array,
    query: CreateImportQuery,
  ): Promise<RpcResult<CreateImportResponse>>;
  getContactImport(caller: Caller, id: string): Promise<RpcResult<ContactImportObject>>;
  listContactImports(caller: Caller, query: ListImportsQuery): Promise<RpcResult<ContactImportList>>;
  listContactImportErrors(
    caller: Caller,
    id: string,
    query: ListImportErrorsQuery,
  ): Promise<RpcResult<ContactImportErrorList>>;
}

/** One chunk of an import's file, on IMPORTS_QUEUE (produced and consumed by admin). */
export interface ContactImportChunkMessage extends QueueMessageBase {
  kind: 'contact_import.chunk';
  tenant_id: string;
  import_id: string;
  /** The file's field delimiter, as detected from its header row. */
  delimiter: string;
  /** 0-based; the import's chunks are recorded by number, so a redelivered one is skipped. */
  chunk: number;
  /** Byte range of the chunk's records in the stored file: [start, end). */
  start: number;
  end: number;
  /** Row number (header = 1) of the chunk's first record, and how many records it holds. */
  first_row: number;
  rows: number;
  /** [row, row of the first occurrence] for each record of this chunk repeating an earlier address. */
  duplicates: [number, number][];
}
