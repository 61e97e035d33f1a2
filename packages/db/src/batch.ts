// kysely-d1 has no transactions. A write that must be atomic compiles its queries with kysely and
// runs them through D1's batch(), which D1 executes as one transaction: all or nothing.
import type { Compilable } from 'kysely';

export async function runBatch(d1: D1Database, queries: readonly Compilable[]): Promise<D1Result[]> {
  if (queries.length === 0) return [];
  const statements = queries.map((query) => {
    const compiled = query.compile();
    return d1.prepare(compiled.sql).bind(...compiled.parameters);
  });
  return d1.batch(statements);
}
