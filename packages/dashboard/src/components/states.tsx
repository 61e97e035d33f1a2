import type { ComponentChildren } from 'preact';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="state loading" aria-busy="true">
      {what}…
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A change's failure, beside the button that made it. */
export function InlineError({ error }: { error: string | undefined }) {
  return error ? (
    <span class="inline-error" role="alert">
      {error}
    </span>
  ) : null;
}

/** An empty list: what it would hold, and what to do next. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${value.replace(/[^a-z_]/g, '')}`}>{value.replace(/_/g, ' ')}</span>;
}
