// The gateway's route table. Each route names the permission it needs; the wrapper authenticates,
// takes a rate-limit token and checks the permission (and a signed-in user's role) before the
// handler runs. A known path with another method is a 405 with `allow`; anything else is a 404.
import {
  type ApiKeyPermission,
  AppError,
  type Caller,
  type Identity,
  MANAGER_ROLES,
  type OperatorContext,
  type UserRole,
} from '@mailgrid/contracts';
import { type IRequest, IttyRouter } from 'itty-router';
import {
  authenticate,
  authenticateIdentity,
  authenticateOperator,
  requirePermission,
  requireRole,
} from './auth';
import type { Env } from './env';
import { takeApiToken } from './rate-limit';
import { createApiKey, deleteApiKey, listApiKeys, updateApiKey } from './routes/api-keys';
import { listAuditLogs } from './routes/audit-logs';
import {
  createContactProperty,
  deleteContactProperty,
  getContactProperty,
  listContactProperties,
  updateContactProperty,
} from './routes/contact-properties';
import {
  addContactToSegment,
  createContact,
  deleteContact,
  getContact,
  listContactSegments,
  listContacts,
  listContactTopics,
  removeContactFromSegment,
  updateContact,
  updateContactTopics,
} from './routes/contacts';
import {
  createDomain,
  deleteDomain,
  getDomain,
  listDomains,
  updateDomain,
  verifyDomain,
} from './routes/domains';
import { cancelEmail, getEmail, listEmails, sendBatch, sendEmail, updateEmail } from './routes/emails';
import { listEmailEvents } from './routes/events';
import { deleteFile, getFile, listFiles, uploadFile } from './routes/files';
import { health } from './routes/health';
import { createImport, getImport, listImportErrors, listImports } from './routes/imports';
import { getReputation, resumeSending } from './routes/reputation';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegmentContacts,
  listSegments,
  updateSegment,
} from './routes/segments';
import { sesWebhook } from './routes/ses-webhook';
import { getStats } from './routes/stats';
import { createStream, deleteStream, getStream, listStreams, updateStream } from './routes/streams';
import { createSuppression, deleteSuppression, listSuppressions } from './routes/suppressions';
import {
  createTemplate,
  deleteTemplate,
  duplicateTemplate,
  getTemplate,
  listTemplates,
  publishTemplate,
  updateTemplate,
} from './routes/templates';
import {
  createTenant,
  getTenant,
  listTenants,
  resumeTenant,
  suspendTenant,
  updateTenant,
} from './routes/tenants';
import { createTopic, deleteTopic, getTopic, listTopics, updateTopic } from './routes/topics';
import {
  acceptInvitation,
  getCurrentUser,
  inviteUser,
  listUsers,
  removeUser,
  updateUser,
} from './routes/users';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  replayWebhookDelivery,
  updateWebhook,
} from './routes/webhooks';

export interface RequestState {
  requestId: string;
  /** Headers every response to this request carries (the rate-limit headers once known). */
  headers: Record<string, string>;
}

export interface RouteContext {
  request: Request;
  env: Env;
  exec: ExecutionContext;
  caller: Caller;
  params: Record<string, string | undefined>;
  maxBodyBytes: number;
}

/** What a public route's handler gets: no caller, since no API key was asked for. */
export type PublicRouteContext = Omit<RouteContext, 'caller'>;

/** An operator route's handler: the platform operator, authenticated by its secret. */
export type OperatorRouteContext = PublicRouteContext & { operator: OperatorContext };

/** A signed-in identity that need not be a member yet (accepting an invitation). */
export type IdentityRouteContext = PublicRouteContext & { identity: Identity };

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

export type Route = KeyedRoute | PublicRoute | OperatorRoute | IdentityRoute;

interface KeyedRoute {
  method: Method;
  path: string;
  /** `sending_access`: any valid key; `full_access`: management routes. */
  permission: ApiKeyPermission;
  /**
   * The roles a signed-in user needs; default: any role for GET, any but viewer otherwise (and
   * owner/admin for changes to users and API keys, see MEMBER_MANAGEMENT). API keys have no role.
   */
  roles?: readonly UserRole[];
  handler: (context: RouteContext) => Promise<Response>;
}

/** The platform operator's routes: `Authorization: Bearer <OPERATOR_SECRET>`, no tenant, no rate limit. */
interface OperatorRoute {
  method: Method;
  path: string;
  permission: 'operator';
  handler: (context: OperatorRouteContext) => Promise<Response>;
}

/** A verified JWT whose subject need not be a user yet: accepting an invitation. */
interface IdentityRoute {
  method: Method;
  path: string;
  permission: 'identity';
  handler: (context: IdentityRouteContext) => Promise<Response>;
}

/** Changing users or API keys needs an owner or admin (as Resend's members); reading them does not. */
const MEMBER_MANAGEMENT = /^\/api\/(users|api-keys)(\/|$)/;

/**
 * No API key and no tenant rate limit: for callers that cannot send a key (SNS). The handler must
 * authenticate the request itself (e.g. a signature) before it acts on it.
 */
interface PublicRoute {
  method: Method;
  path: string;
  permission: 'public';
  handler: (context: PublicRouteContext) => Promise<Response>;
}

/** Every route; exported so tests can sweep them all (e.g. that each change refuses a viewer). */
export const routes: Route[] = [
  { method: 'GET', path: '/health', permission: 'sending_access', handler: ({ env }) => health(env) },
  { method: 'GET', path: '/api/api-keys', permission: 'full_access', handler: listApiKeys },
  { method: 'POST', path: '/api/api-keys', permission: 'full_access', handler: createApiKey },
  { method: 'DELETE', path: '/api/api-keys/:id', permission: 'full_access', handler: deleteApiKey },
  { method: 'PATCH', path: '/api/api-keys/:id', permission: 'full_access', handler: updateApiKey },
  { method: 'POST', path: '/api/domains', permission: 'full_access', handler: createDomain },
  { method: 'GET', path: '/api/domains', permission: 'full_access', handler: listDomains },
  { method: 'GET', path: '/api/domains/:id', permission: 'full_access', handler: getDomain },
  { method: 'PATCH', path: '/api/domains/:id', permission: 'full_access', handler: updateDomain },
  { method: 'DELETE', path: '/api/domains/:id', permission: 'full_access', handler: deleteDomain },
  { method: 'POST', path: '/api/domains/:id/verify', permission: 'full_access', handler: verifyDomain },
  // The audience: contacts (`:id` is an id or an email), their properties, segments and topics.
  // CSV imports (Mailgrid extra); before /api/contacts/:id, which would take `imports` for an id.
  { method: 'POST', path: '/api/contacts/imports', permission: 'full_access', handler: createImport },
  { method: 'GET', path: '/api/contacts/imports', permission: 'full_access', handler: listImports },
  { method: 'GET', path: '/api/contacts/imports/:id', permission: 'full_access', handler: getImport },
  {
    method: 'GET',
    path: '/api/contacts/imports/:id/errors',
    permission: 'full_access',
    handler: listImportErrors,
  },
  { method: 'POST', path: '/api/contacts', permission: 'full_access', handler: createContact },
  { method: 'GET', path: '/api/contacts', permission: 'full_access', handler: listContacts },
  { method: 'GET', path: '/api/contacts/:id', permission: 'full_access', handler: getContact },
  { method: 'PATCH', path: '/api/contacts/:id', permission: 'full_access', handler: updateContact },
  { method: 'DELETE', path: '/api/contacts/:id', permission: 'full_access', handler: deleteContact },
  {
    method: 'GET',
    path: '/api/contacts/:id/segments',
    permission: 'full_access',
    handler: listContactSegments,
  },
  {
    method: 'POST',
    path: '/api/contacts/:id/segments/:segment_id',
    permission: 'full_access',
    handler: addContactToSegment,
  },
  {
    method: 'DELETE',
    path: '/api/contacts/:id/segments/:segment_id',
    permission: 'full_access',
    handler: removeContactFromSegment,
  },
  { method: 'GET', path: '/api/contacts/:id/topics', permission: 'full_access', handler: listContactTopics },
  {
    method: 'PATCH',
    path: '/api/contacts/:id/topics',
    permission: 'full_access',
    handler: updateContactTopics,
  },
  {
    method: 'POST',
    path: '/api/contact-properties',
    permission: 'full_access',
    handler: createContactProperty,
  },
  {
    method: 'GET',
    path: '/api/contact-properties',
    permission: 'full_access',
    handler: listContactProperties,
  },
  {
    method: 'GET',
    path: '/api/contact-properties/:id',
    permission: 'full_access',
    handler: getContactProperty,
  },
  {
    method: 'PATCH',
    path: '/api/contact-properties/:id',
    permission: 'full_access',
    handler: updateContactProperty,
  },
  {
    method: 'DELETE',
    path: '/api/contact-properties/:id',
    permission: 'full_access',
    handler: deleteContactProperty,
  },
  { method: 'POST', path: '/api/segments', permission: 'full_access', handler: createSegment },
  { method: 'GET', path: '/api/segments', permission: 'full_access', handler: listSegments },
  { method: 'GET', path: '/api/segments/:id', permission: 'full_access', handler: getSegment },
  { method: 'PATCH', path: '/api/segments/:id', permission: 'full_access', handler: updateSegment },
  { method: 'DELETE', path: '/api/segments/:id', permission: 'full_access', handler: deleteSegment },
  {
    method: 'GET',
    path: '/api/segments/:id/contacts',
    permission: 'full_access',
    handler: listSegmentContacts,
  },
  { method: 'POST', path: '/api/topics', permission: 'full_access', handler: createTopic },
  { method: 'GET', path: '/api/topics', permission: 'full_access', handler: listTopics },
  { method: 'GET', path: '/api/topics/:id', permission: 'full_access', handler: getTopic },
  { method: 'PATCH', path: '/api/topics/:id', permission: 'full_access', handler: updateTopic },
  { method: 'DELETE', path: '/api/topics/:id', permission: 'full_access', handler: deleteTopic },
  { method: 'POST', path: '/api/emails', permission: 'sending_access', handler: sendEmail },
  { method: 'GET', path: '/api/emails', permission: 'full_access', handler: listEmails },
  { method: 'POST', path: '/api/emails/batch', permission: 'sending_access', handler: sendBatch },
  { method: 'GET', path: '/api/emails/:id', permission: 'full_access', handler: getEmail },
  { method: 'PATCH', path: '/api/emails/:id', permission: 'full_access', handler: updateEmail },
  { method: 'POST', path: '/api/emails/:id/cancel', permission: 'full_access', handler: cancelEmail },
  { method: 'GET', path: '/api/emails/:id/events', permission: 'full_access', handler: listEmailEvents },
  // Mailgrid extras: reputation guardrail and delivery stats.
  { method: 'GET', path: '/api/reputation', permission: 'full_access', handler: getReputation },
  { method: 'POST', path: '/api/reputation/resume', permission: 'full_access', handler: resumeSending },
  { method: 'GET', path: '/api/stats', permission: 'full_access', handler: getStats },
  // Mailgrid extras: message streams (as Postmark's) and attachment files uploaded once.
  { method: 'POST', path: '/api/streams', permission: 'full_access', handler: createStream },
  { method: 'GET', path: '/api/streams', permission: 'full_access', handler: listStreams },
  { method: 'GET', path: '/api/streams/:id', permission: 'full_access', handler: getStream },
  { method: 'PATCH', path: '/api/streams/:id', permission: 'full_access', handler: updateStream },
  { method: 'DELETE', path: '/api/streams/:id', permission: 'full_access', handler: deleteStream },
  { method: 'POST', path: '/api/files', permission: 'full_access', handler: uploadFile },
  { method: 'GET', path: '/api/files', permission: 'full_access', handler: listFiles },
  { method: 'GET', path: '/api/files/:id', permission: 'full_access', handler: getFile },
  { method: 'DELETE', path: '/api/files/:id', permission: 'full_access', handler: deleteFile },
  { method: 'GET', path: '/api/suppressions', permission: 'full_access', handler: listSuppressions },
  { method: 'POST', path: '/api/suppressions', permission: 'full_access', handler: createSuppression },
  {
    method: 'DELETE',
    path: '/api/suppressions/:email',
    permission: 'full_access',
    handler: deleteSuppression,
  },
  { method: 'POST', path: '/api/templates', permission: 'full_access', handler: createTemplate },
  { method: 'GET', path: '/api/templates', permission: 'full_access', handler: listTemplates },
  { method: 'GET', path: '/api/templates/:id', permission: 'full_access', handler: getTemplate },
  { method: 'PATCH', path: '/api/templates/:id', permission: 'full_access', handler: updateTemplate },
  { method: 'DELETE', path: '/api/templates/:id', permission: 'full_access', handler: deleteTemplate },
  { method: 'POST', path: '/api/templates/:id/publish', permission: 'full_access', handler: publishTemplate },
  {
    method: 'POST',
    path: '/api/templates/:id/duplicate',
    permission: 'full_access',
    handler: duplicateTemplate,
  },
  // Mailgrid's own: the platform operator's tenants, a tenant's users, the audit log.
  { method: 'POST', path: '/api/operator/tenants', permission: 'operator', handler: createTenant },
  { method: 'GET', path: '/api/operator/tenants', permission: 'operator', handler: listTenants },
  { method: 'GET', path: '/api/operator/tenants/:id', permission: 'operator', handler: getTenant },
  { method: 'PATCH', path: '/api/operator/tenants/:id', permission: 'operator', handler: updateTenant },
  {
    method: 'POST',
    path: '/api/operator/tenants/:id/suspend',
    permission: 'operator',
    handler: suspendTenant,
  },
  { method: 'POST', path: '/api/operator/tenants/:id/resume', permission: 'operator', handler: resumeTenant },
  { method: 'GET', path: '/api/users', permission: 'full_access', handler: listUsers },
  { method: 'GET', path: '/api/users/me', permission: 'full_access', handler: getCurrentUser },
  { method: 'POST', path: '/api/users/invitations', permission: 'full_access', handler: inviteUser },
  { method: 'PATCH', path: '/api/users/:id', permission: 'full_access', handler: updateUser },
  { method: 'DELETE', path: '/api/users/:id', permission: 'full_access', handler: removeUser },
  { method: 'POST', path: '/api/invitations/accept', permission: 'identity', handler: acceptInvitation },
  { method: 'GET', path: '/api/audit-logs', permission: 'full_access', handler: listAuditLogs },
  { method: 'POST', path: '/api/webhooks/ses', permission: 'public', handler: sesWebhook },
  { method: 'POST', path: '/api/webhooks', permission: 'full_access', handler: createWebhook },
  { method: 'GET', path: '/api/webhooks', permission: 'full_access', handler: listWebhooks },
  { method: 'GET', path: '/api/webhooks/:id', permission: 'full_access', handler: getWebhook },
  { method: 'PATCH', path: '/api/webhooks/:id', permission: 'full_access', handler: updateWebhook },
  { method: 'DELETE', path: '/api/webhooks/:id', permission: 'full_access', handler: deleteWebhook },
  {
    method: 'GET',
    path: '/api/webhooks/:id/deliveries',
    permission: 'full_access',
    handler: listWebhookDeliveries,
  },
  {
    method: 'POST',
    path: '/api/webhooks/:id/deliveries/:delivery_id/replay',
    permission: 'full_access',
    handler: replayWebhookDelivery,
  },
];

type Args = [Env, ExecutionContext, RequestState];

export function buildRouter() {
  const router = IttyRouter<IRequest, Args, Response>();
  const methodsByPath = Map.groupBy(routes, (route) => route.path);
  // A fixed path is reserved: another method on it is a 405 here, before a `:id` route of that method
  // could take it (DELETE /api/contacts/imports is not a contact named `imports`, GET /api/webhooks/ses
  // is not a webhook named `ses`).
  for (const [path, sameRoutes] of methodsByPath) {
    if (path.includes(':')) continue;
    const allow = sameRoutes.map((route) => route.method);
    for (const method of METHODS.filter((candidate) => !allow.includes(candidate))) {
      router[method.toLowerCase() as Lowercase<Method>](path, (request) =>
        methodNotAllowed(request, path, allow),
      );
    }
  }
  for (const route of routes) {
    router[route.method.toLowerCase() as Lowercase<Method>](route.path, (request, env, exec, state) =>
      runRoute(route, request, env, exec, state),
    );
  }
  for (const [path, sameRoutes] of methodsByPath) {
    const allow = sameRoutes.map((route) => route.method);
    router.all(path, (request) => methodNotAllowed(request, path, allow));
  }
  router.all('*', (request) => {
    throw new AppError('not_found', `No route for ${request.method} ${new URL(request.url).pathname}.`);
  });
  return router;
}

function methodNotAllowed(request: Request, path: string, allow: Method[]): never {
  throw new AppError(
    'method_not_allowed',
    `${request.method} is not allowed on ${path}. Allowed: ${allow.join(', ')}.`,
    { allow: allow.join(', ') },
  );
}

async function runRoute(
  route: Route,
  request: IRequest,
  env: Env,
  exec: ExecutionContext,
  state: RequestState,
) {
  const context: PublicRouteContext = {
    request,
    env,
    exec,
    params: request.params,
    maxBodyBytes: Number(env.MAX_BODY_BYTES),
  };
  if (route.permission === 'public') return route.handler(context);
  if (route.permission === 'operator') {
    await authenticateOperator(request, env);
    return route.handler({ ...context, operator: { request_id: state.requestId } });
  }
  if (route.permission === 'identity') {
    const { subject } = await authenticateIdentity(request, env);
    return route.handler({ ...context, identity: { subject, request_id: state.requestId } });
  }
  const { caller, record } = await authenticate(request, env, exec, state.requestId);
  Object.assign(state.headers, await takeApiToken(env, record));
  requirePermission(caller, route.permission);
  requireRole(
    caller,
    route.method,
    route.roles ?? (route.method !== 'GET' && MEMBER_MANAGEMENT.test(route.path) ? MANAGER_ROLES : undefined),
  );
  return route.handler({ ...context, caller });
}
