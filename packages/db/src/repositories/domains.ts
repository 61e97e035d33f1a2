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
