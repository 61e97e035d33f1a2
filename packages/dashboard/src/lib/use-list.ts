// The two ways a page reads a list: one request of up to 100 (`useList`), or pages of a cursor with
// "load more" (`usePagedList`). Both give `ListView` the rows, the error and how to try again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type List } from './api';
import { type Loaded, useApi } from './use-api';

export interface ListSource<T> {
  /** Undefined until there is something to show (the first page is loading, or it failed). */
  rows: T[] | undefined;
  error: Error | undefined;
  reload: () => void;
}

export interface ApiList<T> extends Loaded<List<T>>, ListSource<T> {}

/** GETs one page of a list (`?limit=100`): `data.has_more` says whether there were more. */
export function useList<T>(path: string): ApiList<T> {
  const list = useApi<List<T>>(path);
  // A failed reload shows its error alone, not the rows it failed to refresh.
  return { ...list, rows: list.error ? undefined : list.data?.data };
}

export interface PagedList<T> extends ListSource<T> {
  /** Every row loaded so far, in order. */
  loaded: T[];
  hasMore: boolean;
  loading: boolean;
  /** The next page, after the last row loaded. */
  more: () => void;
}

/** Reads `path` (which has its query, e.g. `?limit=100`) page by page; again from the start when it changes. */
export function usePagedList<T extends { id: string }>(path: string): PagedList<T> {
  const [loaded, setLoaded] = useState<T[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });
  // Only the latest request lands: an answer for the filters before this one is dropped.
  const latest = useRef(0);
  const load = async (after?: string) => {
    const request = ++latest.current;
    setState({ loading: true });
    try {
      const page = await api<List<T>>(after ? `${path}&after=${encodeURIComponent(after)}` : path);
      if (request !== latest.current) return;
      setLoaded((previous) => (after ? [...previous, ...page.data] : page.data));
      setHasMore(page.has_more === true);
      setState({ loading: false });
    } catch (error) {
      if (request === latest.current) setState({ loading: false, error: error as Error });
    }
  };
  useEffect(() => void load(), [path]);
  return {
    // While more load, the rows so far stay on screen; "loading" only while there is none.
    rows: state.loading && loaded.length === 0 ? undefined : loaded,
    error: state.error,
    reload: () => void load(),
    loaded,
    hasMore,
    loading: state.loading,
    more: () => void load(loaded.at(-1)?.id),
  };
}
