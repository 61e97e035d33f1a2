// CSV import of contacts: POST /contacts/imports takes the file as the raw body (Mailgrid's form) or
// as Resend's multipart form (the file, and JSON fields column_map, on_conflict, segments, topics);
// the admin worker processes it in chunks through the imports queue, and the import object reports
// progress, exact counts (Resend's `counts` and Mailgrid's own) and a per-row error report.
import * as v from 'valibot';
import type { Caller } from './caller';
import { CONTACT_LIMITS, TopicChoice } from './contacts';
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

const ColumnName = v.pipe(
  v.string('a column name is a string'),
  v.trim(),
  v.minLength(1, 'a column name must not be empty'),
  v.maxLength(255, 'a column name is at most 255 characters'),
);

/** Which column of the file holds each contact field and property (the SDK's `columnMap`). */
export const ImportColumnMap = v.strictObject({
  email: v.optional(ColumnName),
  first_name: v.optional(ColumnName),
  last_name: v.optional(ColumnName),
  unsubscribed: v.optional(ColumnName),
  /** By property key: the column, and the type the caller expects the property to have. */
  properties: v.optional(
    v.record(
      v.pipe(v.string(), v.minLength(1), v.maxLength(50, 'a property key is at most 50 characters')),
      v.strictObject({
        column: ColumnName,
        type: v.optional(
          v.picklist(['string', 'number', 'boolean'], "type must be 'string', 'number' or 'boolean'"),
        ),
      }),
    ),
  ),
});
export type ImportColumnMap = v.InferOutput<typeof ImportColumnMap>;

/**
 * The multipart form's fields besides the file, each JSON-decoded. `on_conflict`: `upsert` (the
 * default) updates existing contacts; `skip` leaves them as they are (counted as skipped).
 */
export const ImportOptions = v.strictObject({
  column_map: v.optional(ImportColumnMap),
  on_conflict: v.optional(v.picklist(['upsert', 'skip'], "on_conflict must be 'upsert' or 'skip'")),
  /** Segments every imported contact joins. */
  segments: v.optional(
    v.pipe(
      v.array(v.strictObject({ id: UuidId('a segment') })),
      v.maxLength(CONTACT_LIMITS.refs, `at most ${CONTACT_LIMITS.refs} segments`),
    ),
  ),
  /** Topic choices set on every imported contact. */
  topics: v.optional(
    v.pipe(v.array(TopicChoice), v.maxLength(CONTACT_LIMITS.refs, `at most ${CONTACT_LIMITS.refs} topics`)),
  ),
});
export type ImportOptions = v.InferOutput<typeof ImportOptions>;

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
    /** Resend's counts: `skipped` is Mailgrid's `unchanged` (existing contacts left as they were). */
    counts: v.object({
      total: v.number(),
      created: v.number(),
      updated: v.number(),
      skipped: v.number(),
      failed: v.number(),
    }),
    /** The options it runs with (a raw CSV upload: upsert, and only `segment_id`'s segment). */
    on_conflict: v.picklist(['upsert', 'skip']),
    segments: v.array(v.object({ id: v.string() })),
    topics: v.array(v.object({ id: v.string(), subscription: v.picklist(['opt_in', 'opt_out']) })),
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
    options?: ImportOptions,
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
