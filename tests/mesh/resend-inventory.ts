// Every method of the official `resend` SDK and the HTTP request(s) it makes, found by calling each
// method against a recording fetch (nothing leaves the process). The compatibility table
// (docs/resend-compatibility.md) is checked against this, so a method added to the SDK, or one whose
// request changes, shows up as a failing test rather than a stale row.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resend } from 'resend';

export interface SdkMethod {
  /** `emails.attachments.list` */
  name: string;
  /** `GET /emails/{}/attachments`, one per request the call made (path parameters as `{}`); empty when it makes none. */
  requests: string[];
}

const ID = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const ID3 = '33333333-3333-4333-8333-333333333333';
const EMAIL = 'reader@example.com';

/** The arguments that make each method send its request; tried in order until one does. */
const GENERIC: unknown[][] = [
  [ID],
  [{ id: ID }],
  [],
  [{}],
  [ID, {}],
  [{ inboxId: ID }],
  [{ inboxId: ID, id: ID2 }],
  [{ inboxId: ID, threadId: ID2 }],
  [{ inboxId: ID, threadId: ID2, labelId: ID3, draftId: ID2, id: ID2 }],
  [{ inboxId: ID, labelId: ID3, draftId: ID2 }],
];
/** Methods whose arguments name more than one id, or whose request depends on which fields are given. */
const SPECIFIC: Record<string, unknown[][]> = {
  'automations.create': [[{ name: 'n', status: 'disabled', steps: [], connections: [] }]],
  'automations.runs.get': [[{ automationId: ID, runId: ID2 }]],
  'automations.runs.list': [[{ automationId: ID }]],
  // With an `audienceId` the contact calls use Resend's audience-era paths: both forms are recorded.
  'contacts.create': [[{ email: EMAIL }], [{ email: EMAIL, audienceId: ID2 }]],
  'contacts.list': [[{}], [{ audienceId: ID2 }]],
  'contacts.get': [[{ id: ID }], [{ id: ID, audienceId: ID2 }]],
  'contacts.update': [[{ id: ID }], [{ id: ID, audienceId: ID2 }]],
  'contacts.remove': [[{ id: ID }], [{ id: ID, audienceId: ID2 }]],
  'contacts.segments.list': [[{ contactId: ID }]],
  'contacts.segments.add': [[{ contactId: ID, segmentId: ID2 }]],
  'contacts.segments.remove': [[{ contactId: ID, segmentId: ID2 }]],
  'contacts.topics.list': [[{ id: ID }]],
  'contacts.topics.update': [[{ id: ID, topics: [] }]],
  'domains.update': [[{ id: ID }]],
  'domains.claims.create': [[{ name: 'example.com' }]],
  'domains.claims.get': [[ID]],
  'domains.claims.verify': [[ID]],
  'emails.update': [[{ id: ID, scheduledAt: 'in 1 min' }]],
  'emails.attachments.get': [[{ emailId: ID, id: ID2 }]],
  'emails.attachments.list': [[{ emailId: ID }]],
  'emails.receiving.attachments.get': [[{ emailId: ID, id: ID2 }]],
  'emails.receiving.attachments.list': [[{ emailId: ID }]],
  'emails.receiving.forward': [[{ emailId: ID, to: EMAIL, from: EMAIL }]],
  'inboxes.threads.get': [[{ inboxId: ID, threadId: ID2 }]],
  'inboxes.threads.update': [[{ inboxId: ID, threadId: ID2 }]],
  'inboxes.threads.remove': [[{ inboxId: ID, threadId: ID2 }]],
  'inboxes.threads.emails.get': [[{ inboxId: ID, threadId: ID2, emailId: ID3 }]],
  'inboxes.threads.emails.reply': [[{ inboxId: ID, threadId: ID2, emailId: ID3 }]],
  'inboxes.threads.emails.forward': [[{ inboxId: ID, threadId: ID2, emailId: ID3 }]],
  'inboxes.threads.labels.remove': [[{ inboxId: ID, threadId: ID2, labelId: ID3 }]],
  'webhooks.events.list': [[{ webhookId: ID }]],
  'webhooks.events.get': [[{ webhookId: ID, eventId: ID2 }]],
  'webhooks.events.replay': [[{ webhookId: ID, eventId: ID2 }]],
  'webhooks.events.attempts.list': [[{ webhookId: ID, eventId: ID2 }]],
};

/**
 * Methods the SDK's types mark private (`templates.performCreate` is how `templates.create` sends):
 * not part of its API, so not rows of the table. Read from its declarations, so it stays current.
 */
function privateMethods(): Set<string> {
  const declarations = readFileSync(
    createRequire(import.meta.url)
      .resolve('resend')
      .replace(/index\.(c?js|mjs)$/, 'index.d.mts'),
    'utf8',
  );
  return new Set([...declarations.matchAll(/^\s+private (\w+);$/gm)].map((match) => match[1] as string));
}

type Bound = { name: string; call: (...args: unknown[]) => Promise<unknown> };

function methodsOf(target: object, prefix: string, found: Bound[] = []): Bound[] {
  const seen = new Set<string>();
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (target as Record<string, unknown>)[key];
      if (key === 'constructor' || seen.has(key) || typeof value !== 'function') continue;
      seen.add(key);
      found.push({ name: `${prefix}${key}`, call: (...args) => value.apply(target, args) });
    }
    proto = Object.getPrototypeOf(proto);
  }
  for (const [key, value] of Object.entries(target)) {
    // `resend` is every resource's back-reference to the client; `headers` is the client's own.
    if (key === 'resend' || key === 'headers' || !value || typeof value !== 'object') continue;
    if (Array.isArray(value)) continue;
    methodsOf(value, `${prefix}${key}.`, found);
  }
  return found;
}

/** `/api/emails/<ID>/attachments` → `GET /emails/{}/attachments`. */
function shape(method: string, url: string): string {
  const path = new URL(url).pathname
    .replace(/^\/api/, '')
    .split('/')
    .map((part) => ([ID, ID2, ID3, encodeURIComponent(EMAIL), EMAIL].includes(part) ? '{}' : part))
    .join('/');
  return `${method} ${path}`;
}

export async function inventory(): Promise<SdkMethod[]> {
  const requests: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push(shape(init?.method ?? (input instanceof Request ? input.method : 'GET'), url));
    return Response.json({ object: 'list', data: [], has_more: false });
  };
  try {
    const client = new Resend('re_inventory', { baseUrl: 'http://sdk.invalid/api' });
    const hidden = privateMethods();
    const methods = Object.entries(client)
      .flatMap(([key, value]) =>
        key !== 'headers' && value && typeof value === 'object' ? methodsOf(value, `${key}.`) : [],
      )
      .filter((method) => !hidden.has(method.name.split('.').at(-1) as string));
    const found: SdkMethod[] = [];
    for (const method of methods) {
      const made = new Set<string>();
      for (const args of SPECIFIC[method.name] ?? GENERIC) {
        requests.length = 0;
        try {
          await method.call(...args);
        } catch {
          // A helper that needs real input (a multipart builder, a signature check) makes no request.
        }
        // A path with `undefined` in it means these arguments lacked an id the method wanted.
        const complete = requests.filter((request) => !request.includes('/undefined'));
        for (const request of complete) made.add(request);
        if (complete.length > 0 && !SPECIFIC[method.name]) break;
      }
      found.push({ name: method.name, requests: [...made] });
    }
    return found;
  } finally {
    globalThis.fetch = original;
  }
}
