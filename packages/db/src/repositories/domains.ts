import type { Db } from '../client';

export async function domainBelongsToTenant(db: Db, tenantId: string, domainId: string): Promise<boolean> {
  const row = await db
    .selectFrom('domains')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', domainId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The tenant's domain of that name (lower-case), verified or not. */
export async function findDomainByName(db: Db, tenantId: string, name: string) {
  return db
    .selectFrom('domains')
    .select(['id', 'name', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name.toLowerCase())
    .executeTakeFirst();
}
