import type { Db } from '../client';
import { nowIso } from '../client';

/** Which of these addresses (any case) the tenant has suppressed, lower-cased. */
export async function findSuppressed(db: Db, tenantId: string, addresses: string[]): Promise<Set<string>> {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  if (wanted.length === 0) return new Set();
  const rows = await db
    .selectFrom('suppressions')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('email', 'in', wanted)
    .execute();
  return new Set(rows.map((row) => row.email));
}

export async function addSuppression(db: Db, tenantId: string, email: string, reason: string): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ tenant_id: tenantId, email: email.toLowerCase(), reason, created_at: nowIso() })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'email']).doNothing())
    .execute();
}
