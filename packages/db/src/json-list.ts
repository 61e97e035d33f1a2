// A list bound as ONE JSON parameter: D1 allows at most 100 bound parameters per statement, and an
// accept's lookups can name thousands of values (a batch of 100 emails has up to 5,000 recipients).
// `x IN (SELECT value FROM json_each(?))` lets SQLite probe x's index once per listed value.
import { type RawBuilder, type SqlBool, sql } from 'kysely';

/** `column IN (the values)`, with the values bound as one JSON array. */
export function inJsonList(column: string, values: Iterable<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify([...values])}))`;
}
