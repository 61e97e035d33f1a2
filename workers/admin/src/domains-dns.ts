// DNS lookups over DNS-over-HTTPS (the JSON API Cloudflare and Google serve): a Worker has no
// resolver of its own. Answers come back normalised: lower-case, no trailing dot, TXT strings joined.
import { config, type Env } from './env';

const DOH_TIMEOUT_MS = 5_000;
const TYPE_CODES = { CNAME: 5, MX: 15, TXT: 16 } as const;

export type RecordType = keyof typeof TYPE_CODES;

/** The record's values (empty if none exist), or null if the resolver could not say. */
export type Lookup = string[] | null;

export async function lookup(env: Env, name: string, type: RecordType): Promise<Lookup> {
  const url = new URL(config(env).DOH_URL);
  url.searchParams.set('name', name);
  url.searchParams.set('type', type);
  let body: { Status?: number; Answer?: { type?: number; data?: string }[] };
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/dns-json' },
      signal: AbortSignal.timeout(DOH_TIMEOUT_MS),
    });
    if (!response.ok) return null;
    body = await response.json();
  } catch (err) {
    console.error(
      JSON.stringify({ message: 'DNS-over-HTTPS lookup failed', name, type, error: String(err) }),
    );
    return null;
  }
  // 0 NOERROR, 3 NXDOMAIN: both are answers. Anything else (SERVFAIL…) is the resolver not knowing.
  if (body.Status !== 0 && body.Status !== 3) return null;
  return (body.Answer ?? [])
    .filter((answer) => answer.type === TYPE_CODES[type] && typeof answer.data === 'string')
    .map((answer) => normalise(type, answer.data as string));
}

function normalise(type: RecordType, data: string): string {
  if (type === 'TXT') {
    // `"v=spf1 include:amazonses.com" " ~all"`: the strings of one record, joined as DNS does.
    const parts = data.match(/"((?:[^"\\]|\\.)*)"/g);
    return parts ? parts.map((part) => part.slice(1, -1).replace(/\\(.)/g, '$1')).join('') : data;
  }
  return data.trim().toLowerCase().replace(/\.$/, '');
}
