// The custom properties a tenant's contacts may carry. Every read and write names the tenant; every
// change is written in one D1 batch with its audit entry.
import type { Caller } from '@mailgrid/contracts';
import { sql } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import { listNewestFirst, type Page, type PageRequest } from '../pagination';
import type { ContactPropertyRow } from '../schema';
import { auditEntry } from './audit-log';

export async function findContactProperty(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ContactPropertyRow | undefined> {
  return db
    .selectFrom('contact_properties')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Every declared property of the tenant, by key: what contact writes are checked against. */
export async function contactPropertiesByKey(
  db: Db,
  tenantId: string,
): Promise<Map<string, ContactPropertyRow>> {
  const rows = await db
    .selectFrom('contact_properties')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .execute();
  return new Map(rows.map((row) => [row.key, row]));
}

export async function listContactProperties(
  db: Db,
  tenantId: string,
  page: PageRequest,
): Promise<Page<ContactPropertyRow> | null> {
  return listNewestFirst(db, tenantId, 'contact_properties', page);
}

export async function insertContactProperty(
  db: Db,
  d1: D1Database,
  caller: Caller,
  property: Pick<ContactPropertyRow, 'key' | 'type' | 'fallback_value'>,
): Promise<string> {
  const id = crypto.randomUUID();
  await runBatch(d1, [
    db
      .insertInto('contact_properties')
      .values({ id, tenant_id: caller.tenant_id, ...property, created_at: nowIso() }),
    auditEntry(db, caller, {
      action: 'contact_property.created',
      target_type: 'contact_property',
      target_id: id,
      summary: { key: property.key, type: property.type },
    }),
  ]);
  return id;
}

export async function updateContactPropertyFallback(
  db: Db,
  d1: D1Database,
  caller: Caller,
  property: ContactPropertyRow,
  fallbackValue: string | null,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('contact_properties')
      .set({ fallback_value: fallbackValue })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', property.id),
    auditEntry(db, caller, {
      action: 'contact_property.updated',
      target_type: 'contact_property',
      target_id: property.id,
      summary: { key: property.key, fields: ['fallback_value'] },
    }),
  ]);
}

/** Removes the declaration and the key's value from every contact of the tenant, at once. */
export async function deleteContactProperty(
  db: Db,
  d1: D1Database,
  caller: Caller,
  property: ContactPropertyRow,
): Promise<void> {
  // Keys are letters, digits and underscores; quoted, a key starting with a digit is still one label.
  const path = `$."${property.key}"`;
  await runBatch(d1, [
    db
      .deleteFrom('contact_properties')
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', property.id),
    db
      .updateTable('contacts')
      .set({ properties: sql<string>`json_remove(properties, ${path})` })
      .where('tenant_id', '=', caller.tenant_id)
      .where(sql<boolean>`json_type(properties, ${path}) IS NOT NULL`),
    auditEntry(db, caller, {
      action: 'contact_property.deleted',
      target_type: 'contact_property',
      target_id: property.id,
      summary: { key: property.key },
    }),
  ]);
}

/** True when a write failed because the tenant already has a property with that key. */
export function isPropertyKeyTaken(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: contact_properties\.tenant_id, contact_properties\.key/.test(message);
}
