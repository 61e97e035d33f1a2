import type { ComponentChildren } from 'preact';
import { useRun } from '../lib/use-run';
import { InlineError } from './states';

/**
 * A button that runs a change and shows its error beside it; disabled while it runs. Pages render it
 * only for roles that may make the change.
 */
export function Action({
  run,
  children,
  confirm,
  kind,
}: {
  run: () => Promise<unknown>;
  children: ComponentChildren;
  confirm?: string;
  kind?: 'danger' | 'primary';
}) {
  const { busy, error, start } = useRun(run);
  return (
    <span class="action">
      <button
        type="button"
        class={kind}
        disabled={busy}
        onClick={() => (!confirm || window.confirm(confirm)) && start()}
      >
        {children}
      </button>
      <InlineError error={error} />
    </span>
  );
}
