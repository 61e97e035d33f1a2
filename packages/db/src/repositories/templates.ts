// Templates: the draft a customer edits and the published copy sends render. Every read and write
// names the tenant; every change is written in one D1 batch with its audit entry.
import type { Caller } from '@mailgrid/contracts';
import { sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { inJsonList } from '../json-list';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { TemplateRow } from '../schema';
import { auditEntry } from './audit-log';

/** A template by id or alias, scoped to the tenant. */
export async function findTemplate(db: Db, tenantId: string, idOrAlias: string) {
  return db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('id', '=', idOrAlias), eb('alias', '=', idOrAlias)]))
    .executeTakeFirst();
}

/** The tenant's templates named by these ids or aliases, for an accept's read batch (not run here). */
export function findTemplatesQuery(db: Db, tenantId: string, idsOrAliases: readonly string[]) {
  return db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([inJsonList('id', idsOrAliases), inJsonList('alias', idsOrAliases)]));
}

/** Newest first, Resend's cursor pagination (see pagination.ts). Null for an unknown cursor. */
export async function listTemplates(
  db: Db,
  tenantId: string,
  page: PageRequest,
): Promise<Page<TemplateRow> | null> {
  return listNewestFirst(db, tenantId, 'templates', page);
}

/** The draft fields a template is made of; `reply_to` and `variables` are JSON. */
export interface TemplateDraft {
  name: string;
  alias: string | null;
  from_address: string | null;
  reply_to: string | null;
  subject: string;
  html: string;
  text: string | null;
  variables: string;
}

/** Inserts a new draft with its audit entry (`template.created` or `template.duplicated`). Returns its id. */
export async function insertTemplate(
  db: Db,
  d1: D1Database,
  caller: Caller,
  draft: TemplateDraft,
  audit: { action: string; summary: Record<string, unknown> },
): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowIso();
  await runBatch(d1, [
    db.insertInto('templates').values({
      id,
      tenant_id: caller.tenant_id,
      ...draft,
      status: 'draft',
      published: null,
      published_at: null,
      current_version_id: crypto.randomUUID(),
      created_at: now,
      updated_at: now,
    }),
    auditEntry(db, caller, {
      action: audit.action,
      target_type: 'template',
      target_id: id,
      summary: audit.summary,
    }),
  ]);
  return id;
}

/** Changes draft fields (never the published copy) and audits which fields changed. */
export async function updateTemplateDraft(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  changes: Partial<TemplateDraft>,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('templates')
      .set({
        ...changes,
        // The first edit after a publish starts a new version; the published one stays as it was.
        current_version_id: sql<string>`CASE WHEN json_extract(published, '$.version_id') IS current_version_id THEN ${crypto.randomUUID()} ELSE current_version_id END`,
        updated_at: nowIso(),
      })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, {
      action: 'template.updated',
      target_type: 'template',
      target_id: id,
      summary: { fields: Object.keys(changes) },
    }),
  ]);
}

/**
 * Makes the draft what sends use: `published` becomes `{ subject, html, text, variables, from,
 * reply_to, version_id }` (PublishedTemplate, what the send worker renders). The copy is taken by the
 * UPDATE itself, so it is the draft as it is at that instant, even if an update races the publish.
 */
export async function publishTemplateDraft(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  summary: Record<string, unknown>,
): Promise<void> {
  const now = nowIso();
  await runBatch(d1, [
    db
      .updateTable('templates')
      .set({
        status: 'published',
        published: sql<string>`json_object('subject', subject, 'html', html, 'text', text, 'variables', json(variables), 'from', from_address, 'reply_to', reply_to, 'version_id', current_version_id)`,
        published_at: now,
        updated_at: now,
      })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', id),
    auditEntry(db, caller, { action: 'template.published', target_type: 'template', target_id: id, summary }),
  ]);
}

export async function deleteTemplate(
  db: Db,
  d1: D1Database,
  caller: Caller,
  id: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('templates').where('tenant_id', '=', caller.tenant_id).where('id', '=', id),
    auditEntry(db, caller, { action: 'template.deleted', target_type: 'template', target_id: id, summary }),
  ]);
}

/** True when a write failed because the tenant already has a template with that alias. */
export function isAliasTaken(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: templates\.tenant_id, templates\.alias/.test(message);
}
