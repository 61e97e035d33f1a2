// The dashboard's only way to the server: the public API under /api, authenticated by the session
// cookie the gateway set at sign-in (HttpOnly: this code never sees it). Errors arrive in the API's
// envelope; its message is what the page shows.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the session is gone (expired, signed out elsewhere): the app shows the sign-in page. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(callback: () => void) {
  onSignedOut = callback;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; raw?: { body: Blob | string; type: string } } = {},
): Promise<T> {
  // `raw`: a body sent as it is (a CSV file), with its own content type; `body`: JSON.
  const type = init.raw?.type ?? (init.body === undefined ? undefined : 'application/json');
  const body = init.raw?.body ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(type ? { 'content-type': type } : {}) },
    ...(body === undefined ? {} : { body }),
  });
  if (response.ok) {
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  const envelope = (await response.json().catch(() => ({}))) as { name?: string; message?: string };
  const error = new ApiError(
    response.status,
    envelope.name ?? 'error',
    envelope.message ?? `${response.status} ${response.statusText}`,
  );
  if (response.status === 401 && path !== '/api/session') onSignedOut();
  throw error;
}

/** A query string from the defined, non-empty values. */
export function qs(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface List<T> {
  object: 'list';
  data: T[];
  has_more?: boolean;
}
