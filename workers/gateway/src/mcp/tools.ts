// The MCP tools, generated from the route table through the OpenAPI document the same table builds:
// one tool per keyed API route (operator, identity and public routes are left out). A tool's
// arguments are its route's path parameters, query parameters and JSON body fields side by side
// (the API's own names, Resend's snake_case), its description is written in sections from the
// route's summary and answer, and its annotations follow from the method. Nothing is written twice:
// a route added to the table is a tool on the next deploy.
import type { Method, Permission, Route } from '../api/route';
import { routeKey, toolName } from './names';

type Json = Record<string, unknown>;

/** How a tool's arguments become its route's request. */
export interface ToolPlan {
  route: Route;
  pathParams: string[];
  queryParams: string[];
  /** Body fields taken one by one; `undefined` when the body is not an object of fields. */
  bodyFields?: Set<string>;
  /** The argument that carries the whole body (a JSON array or union, or a raw upload). */
  bodyArgument?: string;
  /** The media type of a raw (non-JSON) body, e.g. text/csv. */
  rawMediaType?: string;
  idempotent: boolean;
}

export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Json & { type: 'object' };
  annotations: {
    title: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  /** The credential the route needs (a sending-access key sees only `sending_access` tools). */
  permission: Permission;
  plan: ToolPlan;
}

/** The argument an idempotent route's `Idempotency-Key` header travels in. */
export const IDEMPOTENCY_ARGUMENT = 'idempotency_key';

/** The name a whole non-object body goes by, where Resend's tool names it. */
const BODY_ARGUMENT: Record<string, string> = {
  'POST /api/emails/batch': 'emails',
  'PATCH /api/contacts/{}/topics': 'topics',
};

/**
 * What each tool is not for, where the generic sentence would not say enough (the choice between
 * a transactional send and a broadcast is the one agents get wrong).
 */
const NOT_FOR: Record<string, string> = {
  'send-email':
    'Sending the same email to a whole list or segment (use create-broadcast, then send-broadcast). Not for managing contacts.',
  'send-batch-emails':
    'Marketing to a segment (use create-broadcast). Each email of the batch is separate: up to 100, no attachments.',
  'create-broadcast':
    'One-off transactional emails to named people (use send-email). Creating does not send unless `send` is true: use send-broadcast.',
  'send-broadcast': 'Single transactional emails (use send-email). It sends to every contact of the segment.',
  'list-emails': 'Broadcast campaigns (use list-broadcasts). Not for one email in full (use get-email).',
};

const SUMMARY_LIMIT = 2_000;

/** Builds the tools of a route table from its OpenAPI document (`buildOpenApi(table)`). */
export function buildTools(table: readonly Route[], document: Json): McpTool[] {
  const keyed = table.filter(
    (route) =>
      route.path.startsWith('/api/') &&
      ['sending_access', 'full_access'].includes(route.permission ?? 'full_access'),
  );
  const taken = new Set<string>();
  const drafts = keyed.map((route) => {
    let name = toolName(route);
    // Two routes meaning one name (a route added under a name already used): the later one keeps its
    // operationId, so names stay unique and every route stays reachable.
    if (taken.has(name)) name = route.operationId.replace(/[^A-Za-z0-9_-]/g, '-');
    taken.add(name);
    return { route, name };
  });
  const names = new Set(drafts.map((draft) => draft.name));
  return drafts.map(({ route, name }) => toolOf(route, name, document, names));
}

function toolOf(route: Route, name: string, document: Json, names: Set<string>): McpTool {
  const operation = operationOf(document, route);
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const properties: Record<string, Json> = {};
  const required = new Set<string>();
  const plan: ToolPlan = { route, pathParams: [], queryParams: [], idempotent: Boolean(route.idempotent) };

  for (const parameter of (operation.parameters ?? []) as Json[]) {
    const paramName = parameter.name as string;
    if (parameter.in === 'header') continue;
    const schema = { ...(parameter.schema as Json) };
    if (parameter.description && !schema.description) schema.description = parameter.description;
    properties[paramName] = schema;
    if (parameter.in === 'path') {
      plan.pathParams.push(paramName);
      required.add(paramName);
    } else if (parameter.in === 'query') {
      plan.queryParams.push(paramName);
      if (parameter.required) required.add(paramName);
    }
  }

  const requestBody = operation.requestBody as
    | { required?: boolean; description?: string; content: Record<string, { schema: Json }> }
    | undefined;
  if (requestBody) {
    const jsonBody = requestBody.content['application/json']?.schema;
    const object = jsonBody ? fieldsOf(jsonBody, components) : undefined;
    if (object) {
      plan.bodyFields = new Set(Object.keys(object.properties));
      for (const [field, schema] of Object.entries(object.properties)) properties[field] ??= schema;
      if (requestBody.required) for (const field of object.required) required.add(field);
    } else if (jsonBody) {
      plan.bodyArgument = BODY_ARGUMENT[routeKey(route)] ?? 'body';
      properties[plan.bodyArgument] = { ...jsonBody, description: describeBody(jsonBody, components) };
      if (requestBody.required) required.add(plan.bodyArgument);
    } else {
      const [mediaType, media] =
        Object.entries(requestBody.content).find(([type]) => type.startsWith('text/')) ??
        Object.entries(requestBody.content)[0] ??
        [];
      if (mediaType && media) {
        plan.bodyArgument = 'content';
        plan.rawMediaType = mediaType;
        properties.content = {
          type: 'string',
          description:
            `The request body as ${mediaType}. ${requestBody.description ?? (media.schema.description as string | undefined) ?? ''}`.trim(),
        };
        if (requestBody.required) required.add('content');
      }
    }
  }
  if (plan.idempotent) {
    properties[IDEMPOTENCY_ARGUMENT] = {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description:
        'Optional key that makes a retry safe (sent as the Idempotency-Key header): the same key with the same arguments within 24 hours answers the first result again instead of sending twice. Use a new key for a different email.',
    };
  }

  const inputSchema = withDefinitions(
    {
      type: 'object',
      properties,
      ...(required.size ? { required: [...required] } : {}),
    },
    components,
  ) as McpTool['inputSchema'];
  const title = sentenceCase(route.summary);
  const permission = route.permission ?? 'full_access';
  return {
    name,
    title,
    description: describeTool(route, name, operation, components, names, permission),
    inputSchema,
    annotations: { title, ...hintsOf(route.method, route.operationId) },
    permission,
    plan,
  };
}

/** The annotations of a route: reads are read-only, deletes and cancels destructive, sends open-world. */
export function hintsOf(method: Method, operationId: string): Omit<McpTool['annotations'], 'title'> {
  const verb = operationId.split('/')[1] ?? '';
  const readOnly = method === 'GET';
  return {
    readOnlyHint: readOnly,
    destructiveHint:
      method === 'DELETE' ||
      method === 'PATCH' ||
      method === 'PUT' ||
      /^(cancel|delete|remove|revoke|rotate|pause|suspend|batch-remove)/.test(verb),
    idempotentHint: method !== 'POST',
    // Sending reaches people outside this account; everything else stays inside it.
    openWorldHint: /^(send|test|replay)/.test(verb),
  };
}

function describeTool(
  route: Route,
  name: string,
  operation: Json,
  components: Record<string, Json>,
  names: Set<string>,
  permission: Permission,
): string {
  const purpose = [sentence(route.summary), route.description ? route.description.trim() : '']
    .filter(Boolean)
    .join(' ');
  const sections = [
    `**Purpose:** ${purpose.length > SUMMARY_LIMIT ? `${purpose.slice(0, SUMMARY_LIMIT)}…` : purpose}`,
    `**NOT for:** ${NOT_FOR[name] ?? notFor(name, names)}`,
    `**Returns:** ${returnsOf(route, operation, components)} An error is a tool error carrying Mailgrid's error envelope (\`statusCode\`, \`name\`, \`message\`, \`request_id\`).`,
    `**Needs:** ${permission === 'sending_access' ? 'any API key (sending or full access).' : 'a full-access API key.'}`,
  ];
  return sections.join('\n\n');
}

/** Points at the sibling tool for what this one does not do. */
function notFor(name: string, names: Set<string>): string {
  const [verb = '', ...rest] = name.split('-');
  const noun = rest.join('-');
  const find = (candidates: string[]) => candidates.find((candidate) => names.has(candidate));
  const plural = `${noun}s`.replace(/ys$/, 'ies');
  const singularNoun = noun.replace(/ies$/, 'y').replace(/s$/, '');
  if (verb === 'list') {
    const get = find([`get-${singularNoun}`]);
    return get
      ? `Reading one item in full (use ${get}). It changes nothing.`
      : 'Changing anything: it only reads.';
  }
  if (verb === 'get') {
    const list = find([`list-${plural}`, `list-${noun}`]);
    return list
      ? `Browsing or finding items (use ${list}). It changes nothing.`
      : 'Changing anything: it only reads.';
  }
  if (verb === 'create' || verb === 'add') {
    const update = find([`update-${noun}`]);
    return update ? `Changing an existing one (use ${update}).` : 'Changing an existing one.';
  }
  if (verb === 'update') {
    const create = find([`create-${noun}`, `add-${noun}`]);
    return create
      ? `Creating a new one (use ${create}). It changes only the fields given.`
      : 'Creating a new one.';
  }
  if (verb === 'remove') return 'Pausing or hiding: it deletes for good, and cannot be undone.';
  return 'Reading (use the list-/get- tools): it acts.';
}

function returnsOf(route: Route, operation: Json, components: Record<string, Json>): string {
  const status = route.status ?? 200;
  const success = (operation.responses as Record<string, Json> | undefined)?.[String(status)];
  const content = success?.content as Record<string, { schema: Json }> | undefined;
  if (!content) return 'Nothing: no error means it was done.';
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  if (!mediaType || !media) return 'Nothing: no error means it was done.';
  if (mediaType !== 'application/json') return `The ${mediaType} content as text.`;
  const { schema, name } = resolve(media.schema, components);
  const props = (schema.properties ?? {}) as Json;
  const description =
    typeof schema.description === 'string' ? ` (${schema.description.replace(/\.$/, '')})` : '';
  if ('data' in props && 'has_more' in props) {
    return `A page as JSON${description}: \`{ object: "list", data: [...], has_more }\`; pass the last item's id as \`after\` for the next page.`;
  }
  const fields = Object.keys(props);
  const shown = fields.length
    ? ` with ${fields.slice(0, 12).join(', ')}${fields.length > 12 ? ', …' : ''}`
    : '';
  return `${name ? `The \`${name}\` JSON object` : 'A JSON object'}${description}${shown}.`;
}

/** The object a body schema stands for, if it is a plain object of fields. */
function fieldsOf(
  schema: Json,
  components: Record<string, Json>,
): { properties: Record<string, Json>; required: string[] } | undefined {
  const resolved = resolve(schema, components).schema;
  if (
    resolved.type !== 'object' ||
    !resolved.properties ||
    resolved.anyOf ||
    resolved.oneOf ||
    resolved.allOf
  ) {
    return undefined;
  }
  return {
    properties: resolved.properties as Record<string, Json>,
    required: (resolved.required ?? []) as string[],
  };
}

function describeBody(schema: Json, components: Record<string, Json>): string {
  const { schema: resolved } = resolve(schema, components);
  return typeof resolved.description === 'string' ? resolved.description : 'The request body.';
}

const COMPONENT = '#/components/schemas/';

function resolve(schema: Json, components: Record<string, Json>): { schema: Json; name?: string } {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith(COMPONENT)) {
    const name = ref.slice(COMPONENT.length);
    return { schema: components[name] ?? {}, name };
  }
  return { schema };
}

/**
 * A tool's input schema must stand alone: references into the document's components become `$defs`
 * of the schema itself, with every component they reach.
 */
function withDefinitions(schema: Json, components: Record<string, Json>): Json {
  const retarget = (value: Json) =>
    JSON.parse(JSON.stringify(value).replaceAll(`"${COMPONENT}`, '"#/$defs/')) as Json;
  const root = retarget(schema);
  const defs: Record<string, Json> = {};
  const pending = [...referencesIn(root)];
  while (pending.length) {
    const name = pending.pop() as string;
    if (defs[name] || !components[name]) continue;
    defs[name] = retarget(components[name]);
    pending.push(...referencesIn(defs[name]));
  }
  return Object.keys(defs).length ? { ...root, $defs: defs } : root;
}

function referencesIn(schema: Json): string[] {
  return [...JSON.stringify(schema).matchAll(/"#\/\$defs\/([^"]+)"/g)].map((match) => match[1] as string);
}

function operationOf(document: Json, route: Route): Json {
  const paths = document.paths as Record<string, Record<string, Json>>;
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
  const operation = paths[path]?.[route.method.toLowerCase()];
  if (!operation) throw new Error(`The OpenAPI document has no ${route.method} ${path}.`);
  return operation;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return `${trimmed[0]?.toUpperCase() ?? ''}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

function sentenceCase(text: string): string {
  const trimmed = text.trim().replace(/\.$/, '');
  return `${trimmed[0]?.toUpperCase() ?? ''}${trimmed.slice(1)}`;
}
