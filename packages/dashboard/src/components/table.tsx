import type { ComponentChildren } from 'preact';

export interface Column<T> {
  /** The header; none for a column of buttons. */
  head?: string;
  /** `index`: the row's place, for rows edited in place that have no id. */
  cell: (row: T, index: number) => ComponentChildren;
  /** `value`: long text (a URL, JSON) that may wrap anywhere. */
  class?: string;
}

/** Columns, some only for some roles: `can.write && { cell: … }` leaves a column out. */
export type Columns<T> = (Column<T> | false)[];

/** A table of rows, scrolling sideways inside the page when it is wider than the screen. */
export function Table<T>({
  rows,
  columns,
  class: className,
  rowKey = (row: T) => (row as { id: string }).id,
}: {
  rows: T[];
  columns: Columns<T>;
  class?: string;
  /** Rows are keyed by their `id` unless they have none. */
  rowKey?: (row: T, index: number) => string | number;
}) {
  const shown = columns.filter((column): column is Column<T> => column !== false);
  return (
    <div class="table-wrap">
      <table class={className}>
        <thead>
          <tr>
            {shown.map((column, i) => (
              <th key={i}>{column.head}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)}>
              {shown.map((column, j) => (
                <td key={j} class={column.class}>
                  {column.cell(row, i)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
