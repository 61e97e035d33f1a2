// Signing in: a one-time link (`npm start` prints MAILGRID_DASHBOARD_URL, /sign-in#access_token=…)
// or an access token from the identity provider, pasted. Either is exchanged once, by
// POST /api/session, for an HttpOnly session cookie; the token itself is kept nowhere.
import { useEffect, useState } from 'preact/hooks';

async function exchange(token: string) {
  const response = await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (!response.ok) {
    const envelope = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(envelope.message ?? `Sign-in failed (${response.status}).`);
  }
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [pasted, setPasted] = useState('');

  const signIn = async (token: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await exchange(token);
      // The link has done its work: off the address bar and history, then to the overview.
      history.replaceState(null, '', '/');
      dispatchEvent(new PopStateEvent('popstate'));
      onSignedIn();
    } catch (err) {
      history.replaceState(null, '', '/sign-in');
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('access_token');
    if (token) void signIn(token);
  }, []);

  return (
    <main class="sign-in">
      <h1>Mailgrid</h1>
      {busy ? (
        <p aria-busy="true">Signing in…</p>
      ) : (
        <>
          <p>
            Open the one-time sign-in link: locally, <code>npm start</code> prints{' '}
            <code>MAILGRID_DASHBOARD_URL</code> (also in <code>.mailgrid/dev.env</code>; a link works once,
            for ten minutes: restart or run <code>node packages/stack/src/dashboard-link.ts</code> for
            another).
          </p>
          {error && (
            <p class="inline-error" role="alert">
              {error}
            </p>
          )}
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (pasted.trim()) void signIn(pasted.trim());
            }}
          >
            <label>
              Or paste an access token from your identity provider
              <textarea
                rows={3}
                value={pasted}
                onInput={(event) => setPasted(event.currentTarget.value)}
                autocomplete="off"
              />
            </label>
            <button type="submit" class="primary">
              Sign in
            </button>
          </form>
        </>
      )}
    </main>
  );
}
