// Tool names. A route Resend's own MCP server (`resend-mcp` 2.22) has a tool for gets that tool's
// name, so prompts and agent setups written for Resend carry over; every other route gets a name
// made from its operationId in the same style (`streams/create` → `create-stream`).
//
// Resend's names are keyed by method and path, not operationId: the path is Resend's (the SDK calls
// it), so a route another change adds under Resend's path picks up Resend's name without an edit here.
import type { Route } from '../api/route';

/** `METHOD /api/path` with each `:param` as `{}` → resend-mcp's tool name. */
const RESEND_TOOLS: Record<string, string> = {
  'POST /api/emails': 'send-email',
  'POST /api/emails/batch': 'send-batch-emails',
  'GET /api/emails': 'list-emails',
  'GET /api/emails/{}': 'get-email',
  'PATCH /api/emails/{}': 'update-email',
  'POST /api/emails/{}/cancel': 'cancel-email',
  'POST /api/emails/{}/share': 'share-email',
  'GET /api/emails/metrics': 'get-email-metrics',
  'GET /api/emails/{}/attachments': 'list-sent-email-attachments',
  'GET /api/emails/{}/attachments/{}': 'get-sent-email-attachment',

  'POST /api/broadcasts': 'create-broadcast',
  'POST /api/broadcasts/{}/send': 'send-broadcast',
  'GET /api/broadcasts': 'list-broadcasts',
  'GET /api/broadcasts/{}': 'get-broadcast',
  'PATCH /api/broadcasts/{}': 'update-broadcast',
  'DELETE /api/broadcasts/{}': 'remove-broadcast',
  'POST /api/broadcasts/{}/cancel': 'cancel-broadcast',
  'POST /api/broadcasts/{}/duplicate': 'duplicate-broadcast',
  'GET /api/broadcasts/{}/clicked-links': 'list-broadcast-clicked-links',
  'GET /api/broadcasts/{}/recipients': 'list-broadcast-recipients',

  'POST /api/templates': 'create-template',
  'GET /api/templates': 'list-templates',
  'GET /api/templates/{}': 'get-template',
  'PATCH /api/templates/{}': 'update-template',
  'DELETE /api/templates/{}': 'remove-template',
  'POST /api/templates/{}/publish': 'publish-template',
  'POST /api/templates/{}/duplicate': 'duplicate-template',

  'POST /api/contacts': 'create-contact',
  'GET /api/contacts': 'list-contacts',
  'GET /api/contacts/{}': 'get-contact',
  'PATCH /api/contacts/{}': 'update-contact',
  'DELETE /api/contacts/{}': 'remove-contact',
  'POST /api/contacts/{}/segments/{}': 'add-contact-to-segment',
  'DELETE /api/contacts/{}/segments/{}': 'remove-contact-from-segment',
  'GET /api/contacts/{}/segments': 'list-contact-segments',
  'GET /api/contacts/{}/topics': 'list-contact-topics',
  'PATCH /api/contacts/{}/topics': 'update-contact-topics',
  'POST /api/contacts/imports': 'create-contact-import',
  'GET /api/contacts/imports': 'list-contact-imports',
  'GET /api/contacts/imports/{}': 'get-contact-import',

  'POST /api/contact-properties': 'create-contact-property',
  'GET /api/contact-properties': 'list-contact-properties',
  'GET /api/contact-properties/{}': 'get-contact-property',
  'PATCH /api/contact-properties/{}': 'update-contact-property',
  'DELETE /api/contact-properties/{}': 'remove-contact-property',

  'POST /api/segments': 'create-segment',
  'GET /api/segments': 'list-segments',
  'GET /api/segments/{}': 'get-segment',
  'PATCH /api/segments/{}': 'update-segment',
  'DELETE /api/segments/{}': 'remove-segment',

  'POST /api/topics': 'create-topic',
  'GET /api/topics': 'list-topics',
  'GET /api/topics/{}': 'get-topic',
  'PATCH /api/topics/{}': 'update-topic',
  'DELETE /api/topics/{}': 'remove-topic',

  'POST /api/domains': 'create-domain',
  'GET /api/domains': 'list-domains',
  'GET /api/domains/{}': 'get-domain',
  'PATCH /api/domains/{}': 'update-domain',
  'DELETE /api/domains/{}': 'remove-domain',
  'POST /api/domains/{}/verify': 'verify-domain',
  'POST /api/domains/claim': 'create-domain-claim',
  'GET /api/domains/{}/claim': 'get-domain-claim',
  'POST /api/domains/{}/claim/verify': 'verify-domain-claim',

  'POST /api/api-keys': 'create-api-key',
  'GET /api/api-keys': 'list-api-keys',
  'PATCH /api/api-keys/{}': 'update-api-key',
  'DELETE /api/api-keys/{}': 'remove-api-key',

  'POST /api/webhooks': 'create-webhook',
  'GET /api/webhooks': 'list-webhooks',
  'GET /api/webhooks/{}': 'get-webhook',
  'PATCH /api/webhooks/{}': 'update-webhook',
  'DELETE /api/webhooks/{}': 'remove-webhook',
  'GET /api/webhooks/{}/events': 'list-webhook-events',
  'GET /api/webhooks/{}/events/{}': 'get-webhook-event',
  'POST /api/webhooks/{}/events/{}/replay': 'replay-webhook-event',
  'GET /api/webhooks/{}/events/{}/attempts': 'list-webhook-event-attempts',
  'POST /api/webhooks/{}/signing-secret/rotate': 'rotate-webhook-signing-secret',

  'POST /api/suppressions': 'add-suppression',
  'GET /api/suppressions': 'list-suppressions',
  'GET /api/suppressions/{}': 'get-suppression',
  'DELETE /api/suppressions/{}': 'remove-suppression',
  'POST /api/suppressions/batch/add': 'batch-add-suppressions',
  'POST /api/suppressions/batch/remove': 'batch-remove-suppressions',

  'GET /api/logs': 'list-logs',
  'GET /api/logs/{}': 'get-log',
};

/** Mailgrid's own routes whose generated name would read badly. */
const MAILGRID_TOOLS: Record<string, string> = {
  'reputation/resume': 'resume-sending',
  'broadcasts/test': 'send-test-broadcast',
  'emails/get-raw': 'get-raw-email',
  'users/me': 'get-current-user',
  'stats/get': 'get-stats',
  'reputation/get': 'get-reputation',
};

/** Resend says `remove` where the API says `delete`. */
const VERBS: Record<string, string> = { delete: 'remove' };

export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '{}')}`;
}

/** The tool name of a route: Resend's where it has one, else one made from the operationId. */
export function toolName(route: Pick<Route, 'method' | 'path' | 'operationId'>): string {
  return (
    RESEND_TOOLS[routeKey(route)] ?? MAILGRID_TOOLS[route.operationId] ?? fromOperationId(route.operationId)
  );
}

/** Whether the name is resend-mcp's own (the rest are Mailgrid's). */
export function isResendName(name: string): boolean {
  return Object.values(RESEND_TOOLS).includes(name);
}

/**
 * `resource/verb[-rest]` → `verb-noun[-rest]`: the noun singular, but plural for a bare `list`
 * (`streams/list` → `list-streams`, `webhooks/list-deliveries` → `list-webhook-deliveries`,
 * `audit-logs/list` → `list-audit-logs`, `files/delete` → `remove-file`).
 */
export function fromOperationId(operationId: string): string {
  const [resource = operationId, action = 'call'] = operationId.split('/');
  const [first = action, ...rest] = action.split('-');
  const verb = VERBS[first] ?? first;
  const noun = verb === 'list' && rest.length === 0 ? resource : singular(resource);
  return [verb, noun, ...rest].join('-');
}

function singular(resource: string): string {
  const words = resource.split('-');
  const last = words.pop() ?? resource;
  const one = /ies$/.test(last)
    ? `${last.slice(0, -3)}y`
    : /(ss|us|is)$/.test(last)
      ? last
      : /(x|ch|sh|sses)es$/.test(last)
        ? last.slice(0, -2)
        : last.replace(/s$/, '');
  return [...words, one].join('-');
}
