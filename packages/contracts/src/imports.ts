// CSV import of contacts (a Mailgrid extra): POST /contacts/imports takes the file as the raw body,
// the admin worker processes it in chunks through the imports queue, and the import object reports
// progress, exact counts and a per-row error report.
import * as v from 'valibot';
import type { Caller } from './caller';
import type { QueueMessageBase } from './queues';
import type { RpcResult } from './rpc-result';

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

const Limit = (max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `limit must be a whole number from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `limit must be from 1 to ${max}`),
      v.maxValue(max, `limit must be from 1 to ${max}`),
    ),
    String(fallback),
  );

export const ListImportsQuery = v.object({
  limit: Limit(100, 20),
  after: v.optional(v.string()),
  before: v.optional(v.string()),
});
export type ListImportsQuery = v.InferOutput<typeof ListImportsQuery>;

/** Errors are ordered by row; `after` is a row number: the page starts after it. */
export const ListImportErrorsQuery = v.object({
  limit: Limit(IMPORT_LIMITS.errors_page, 100),
  after: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'after must be a row number'), v.transform(Number))),
});
export type ListImportErrorsQuery = v.InferOutput<typeof ListImportErrorsQuery>;

export type ContactImportStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface CreateImportResponse {
  object: 'contact_import';
  id: string;
  status: 'queued';
}

export interface ContactImportObject {
  object: 'contact_import';
  id: string;
  status: ContactImportStatus;
  segment_id: string | null;
  /** The header row as given. */
  columns: string[];
  /** Header columns that name no contact field or declared property: a row with a value there fails. */
  unknown_columns: string[];
  total_rows: number;
  /** Rows done so far, failed ones included: created + updated + unchanged + failed. */
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Why the import as a whole failed, else null. */
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface ContactImportList {
  object: 'list';
  has_more: boolean;
  data: ContactImportObject[];
}

export interface ContactImportError {
  /** The record's position in the file, the header being row 1. */
  row: number;
  /** The email cell as given (null when the row had none). */
  email: string | null;
  reason: ImportErrorReason;
  message: string;
}

export interface ContactImportErrorList {
  object: 'list';
  has_more: boolean;
  data: ContactImportError[];
}

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
