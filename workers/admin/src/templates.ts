// Templates: create, read, list, edit the draft, publish it for sends, duplicate, delete. A template
// is named by id or alias; the draft is checked with @mailgrid/templates before it is stored.
import {
  AppError,
  type Caller,
  type CreateTemplateRequest,
  type DeletedTemplate,
  type ListTemplatesQuery,
  type PublishedTemplate,
  TEMPLATE_LIMITS,
  type TemplateList,
  type TemplateObject,
  type TemplateResponse,
  type TemplateSummary,
  type TemplateVariableObject,
  type UpdateTemplateRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  createDb,
  type Db,
  deleteTemplate as deleteTemplateRow,
  findTemplate,
  insertTemplate,
  isAliasTaken,
  listTemplates as listTemplateRows,
  publishTemplateDraft,
  type TemplateDraft,
  type TemplateRow,
  updateTemplateDraft,
} from '@mailgrid/db';
import { TemplateError, validateTemplate } from '@mailgrid/templates';
import type { Env } from './env';

export async function createTemplate(
  env: Env,
  caller: Caller,
  input: CreateTemplateRequest,
): Promise<TemplateResponse> {
  const draft: TemplateDraft = {
    name: input.name,
    alias: input.alias ?? null,
    from_address: input.from ?? null,
    reply_to: replyToJson(input.reply_to),
    // The column is NOT NULL; '' is "no default subject" (a send must then give one).
    subject: input.subject ?? '',
    html: input.html,
    text: input.text ?? null,
    variables: JSON.stringify(normalizeVariables(input.variables)),
  };
  checkDraft(draft);
  const id = await withAlias(draft.alias, () =>
    insertTemplate(createDb(env.DB), env.DB, caller, draft, {
      action: 'template.created',
      summary: { name: draft.name, alias: draft.alias },
    }),
  );
  return { object: 'template', id };
}

export async function getTemplate(env: Env, caller: Caller, ref: string): Promise<TemplateObject> {
  return toObject(await existing(createDb(env.DB), caller, ref));
}

export async function listTemplates(
  env: Env,
  caller: Caller,
  query: ListTemplatesQuery,
): Promise<TemplateList> {
  const page = await listTemplateRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'template');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSummary) };
}

export async function updateTemplate(
  env: Env,
  caller: Caller,
  ref: string,
  input: UpdateTemplateRequest,
): Promise<TemplateResponse> {
  const db = createDb(env.DB);
  const row = await existing(db, caller, ref);
  const changes: Partial<TemplateDraft> = {};
  // `undefined` leaves a field as it is; `null` clears it.
  if (input.name !== undefined) changes.name = input.name;
  if (input.alias !== undefined) changes.alias = input.alias;
  if (input.from !== undefined) changes.from_address = input.from;
  if (input.reply_to !== undefined) changes.reply_to = replyToJson(input.reply_to);
  if (input.subject !== undefined) changes.subject = input.subject ?? '';
  if (input.html !== undefined) changes.html = input.html;
  if (input.text !== undefined) changes.text = input.text;
  if (input.variables !== undefined) changes.variables = JSON.stringify(normalizeVariables(input.variables));
  if (Object.keys(changes).length === 0) return { object: 'template', id: row.id };

  checkDraft({ ...row, ...changes });
  await withAlias(changes.alias ?? null, () => updateTemplateDraft(db, env.DB, caller, row.id, changes));
  return { object: 'template', id: row.id };
}

export async function publishTemplate(env: Env, caller: Caller, ref: string): Promise<TemplateResponse> {
  const db = createDb(env.DB);
  const row = await existing(db, caller, ref);
  // Every stored draft was checked; checking again keeps an unrenderable version from ever reaching sends.
  checkDraft(row);
  await publishTemplateDraft(db, env.DB, caller, row.id, { name: row.name, alias: row.alias });
  return { object: 'template', id: row.id };
}

export async function duplicateTemplate(env: Env, caller: Caller, ref: string): Promise<TemplateResponse> {
  const db = createDb(env.DB);
  const row = await existing(db, caller, ref);
  const suffix = ' (copy)';
  const draft: TemplateDraft = {
    name: `${row.name.slice(0, TEMPLATE_LIMITS.name - suffix.length)}${suffix}`,
    // An alias names one template, so the copy has none until it is given one.
    alias: null,
    from_address: row.from_address,
    reply_to: row.reply_to,
    subject: row.subject,
    html: row.html,
    text: row.text,
    variables: row.variables,
  };
  const id = await insertTemplate(db, env.DB, caller, draft, {
    action: 'template.duplicated',
    summary: { name: draft.name, source_id: row.id },
  });
  return { object: 'template', id };
}

export async function deleteTemplate(env: Env, caller: Caller, ref: string): Promise<DeletedTemplate> {
  const db = createDb(env.DB);
  const row = await existing(db, caller, ref);
  await deleteTemplateRow(db, env.DB, caller, row.id, { name: row.name, alias: row.alias });
  return { object: 'template', id: row.id, deleted: true };
}

async function existing(db: Db, caller: Caller, ref: string): Promise<TemplateRow> {
  const row = await findTemplate(db, caller.tenant_id, ref);
  if (!row) throw new AppError('not_found', `Template ${ref} not found.`);
  return row;
}

/** The draft must render: a TemplateError is the caller's mistake, reported with the field or variable it names. */
function checkDraft(draft: Pick<TemplateDraft, 'subject' | 'html' | 'text' | 'variables'>): void {
  try {
    validateTemplate(
      { subject: draft.subject, html: draft.html, text: draft.text },
      JSON.parse(draft.variables) as TemplateVariableObject[],
    );
  } catch (err) {
    if (err instanceof TemplateError) throw new AppError('invalid_parameter', err.message);
    throw err;
  }
}

/** Runs a write that sets `alias`, turning the tenant's unique-alias index firing into a 409. */
async function withAlias<T>(alias: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (alias !== null && isAliasTaken(err)) {
      throw new AppError('conflict', `Another template already has the alias ${alias}.`);
    }
    throw err;
  }
}

function normalizeVariables(variables: CreateTemplateRequest['variables']): TemplateVariableObject[] {
  return (variables ?? []).map(({ key, type, fallback_value }) => ({
    key,
    type,
    fallback_value: fallback_value ?? null,
  }));
}

function replyToJson(replyTo: string | string[] | null | undefined): string | null {
  const list = typeof replyTo === 'string' ? [replyTo] : (replyTo ?? []);
  return list.length > 0 ? JSON.stringify(list) : null;
}

function toSummary(row: TemplateRow): TemplateSummary {
  return {
    id: row.id,
    name: row.name,
    alias: row.alias,
    status: row.status,
    published_at: row.published_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function toObject(row: TemplateRow): TemplateObject {
  return {
    object: 'template',
    id: row.id,
    name: row.name,
    alias: row.alias,
    status: row.status,
    from: row.from_address,
    subject: row.subject === '' ? null : row.subject,
    reply_to: row.reply_to === null ? null : (JSON.parse(row.reply_to) as string[]),
    html: row.html,
    text: row.text,
    variables: JSON.parse(row.variables) as TemplateVariableObject[],
    published_at: row.published_at,
    has_unpublished_versions: hasUnpublishedChanges(row),
    // Null only for a row written between the 0021 migration's two statements.
    current_version_id: row.current_version_id ?? row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The draft's subject, html, text, variables, from or reply_to differ from the published copy sends use. */
function hasUnpublishedChanges(row: TemplateRow): boolean {
  if (row.published === null) return false;
  const published = JSON.parse(row.published) as PublishedTemplate;
  const draft = [row.subject, row.html, row.text, JSON.parse(row.variables)];
  const live = [published.subject, published.html, published.text, published.variables];
  // Copies published before from / reply_to were recorded are compared on the rest only.
  if (published.from !== undefined) draft.push(row.from_address, row.reply_to);
  if (published.from !== undefined) live.push(published.from, published.reply_to ?? null);
  return JSON.stringify(draft) !== JSON.stringify(live);
}
