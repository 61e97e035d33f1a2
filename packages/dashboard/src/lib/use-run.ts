import { useState } from 'preact/hooks';

/**
 * Runs a change one at a time: `busy` while it runs (so a double click does not run it twice), then the
 * failure's message in `error`, for the button or form that started it.
 */
export function useRun(run: () => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, start };
}
