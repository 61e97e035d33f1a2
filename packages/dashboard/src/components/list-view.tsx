import type { ComponentChildren } from 'preact';
import type { ListSource, PagedList } from '../lib/use-list';
import { ErrorBox, Loading } from './states';
import { type Columns, Table } from './table';

/**
 * A list in its states: its error (with "Try again"), "Loading…", its empty state, or its rows, as a
 * table of `columns` or as `children` draws them. Without `empty`, an empty list is an empty table.
 */
export function ListView<T>({
  list,
  loading,
  empty,
  columns = [],
  class: className,
  rowKey,
  children,
}: {
  list: ListSource<T>;
  /** What is loading, for "Loading…". */
  loading: string;
  empty?: ComponentChildren;
  columns?: Columns<T>;
  class?: string;
  rowKey?: (row: T, index: number) => string | number;
  children?: (rows: T[]) => ComponentChildren;
}) {
  const { rows, error } = list;
  return (
    <>
      {error && <ErrorBox error={error} retry={list.reload} />}
      {rows === undefined ? (
        !error && <Loading what={loading} />
      ) : rows.length === 0 && empty !== undefined ? (
        !error && empty
      ) : children ? (
        children(rows)
      ) : (
        <Table rows={rows} columns={columns} class={className} rowKey={rowKey} />
      )}
    </>
  );
}

/** "Load more" of a paged list, while there is more. */
export function LoadMore({ list, children }: { list: PagedList<unknown>; children: ComponentChildren }) {
  return list.hasMore ? (
    <button type="button" class="link" disabled={list.loading} onClick={list.more}>
      {children}
    </button>
  ) : null;
}
