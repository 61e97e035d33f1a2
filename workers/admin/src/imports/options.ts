// An import's options (Resend's multipart form: column_map, on_conflict, segments, topics) as
// stored on the import row, and what a raw CSV upload runs with: upsert, its `segment_id` alone.
import type { ImportColumnMap, ImportOptions, TopicChoice } from '@mailgrid/contracts';

export interface StoredImportOptions {
  column_map: ImportColumnMap | null;
  on_conflict: 'upsert' | 'skip';
  /** Every segment the imported contacts join, `segment_id` first. */
  segments: string[];
  topics: TopicChoice[];
}

export function storedOptions(
  options: ImportOptions | undefined,
  segmentId: string | null,
): StoredImportOptions {
  const segments = [...(segmentId ? [segmentId] : []), ...(options?.segments ?? []).map((s) => s.id)];
  return {
    column_map: options?.column_map ?? null,
    on_conflict: options?.on_conflict ?? 'upsert',
    segments: [...new Set(segments)],
    topics: options?.topics ?? [],
  };
}

/** The import row's options; a row without any (a raw upload, or one from before 0021) as it always ran. */
export function readOptions(json: string | null, segmentId: string | null): StoredImportOptions {
  if (json === null) return storedOptions(undefined, segmentId);
  return JSON.parse(json) as StoredImportOptions;
}

/** The header column that holds the address. */
export function emailColumn(options: StoredImportOptions): string {
  return options.column_map?.email ?? 'email';
}
