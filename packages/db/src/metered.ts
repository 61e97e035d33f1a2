// D1 bills by rows read and written. A metered binding counts the statements a piece of work runs
// and the rows they read and wrote (from D1's own result meta), so each accept and each send can log
// what it cost. It wraps what kysely-d1, runBatch and the health probe use: prepare().bind() then
// all()/run()/first()/raw(), and batch(). A round trip is one call that waits on the database: a
// statement run on its own, or a whole batch() (what an edge location far from the database's region
// pays tens of ms for). duration_ms sums D1's own meta.duration (time spent in SQLite, not the
// network): what one database, which runs one statement at a time, spends of its capacity.

export interface D1Usage {
  statements: number;
  round_trips: number;
  rows_read: number;
  rows_written: number;
  duration_ms: number;
}

export function emptyD1Usage(): D1Usage {
  return { statements: 0, round_trips: 0, rows_read: 0, rows_written: 0, duration_ms: 0 };
}

type Meta = { meta?: { rows_read?: number; rows_written?: number; duration?: number } } | null | undefined;

export function meteredD1(
  d1: D1Database,
  usage: D1Usage = emptyD1Usage(),
): { db: D1Database; usage: D1Usage } {
  const count = (result: Meta) => {
    usage.statements++;
    usage.rows_read += result?.meta?.rows_read ?? 0;
    usage.rows_written += result?.meta?.rows_written ?? 0;
    // Rounded as it goes, so a log line shows 0.42, not 0.42000000000000004.
    usage.duration_ms = Math.round((usage.duration_ms + (result?.meta?.duration ?? 0)) * 1000) / 1000;
  };
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === 'bind') return (...values: unknown[]) => wrapStatement(target.bind(...values));
        if (property === 'all' || property === 'run') {
          return async () => {
            const result = await target[property]();
            usage.round_trips++;
            count(result);
            return result;
          };
        }
        // first() and raw() return no meta: the statement and its round trip count, its rows cannot.
        if (property === 'first' || property === 'raw') {
          return async (...args: unknown[]) => {
            const result = await (target[property] as (...a: unknown[]) => Promise<unknown>)(...args);
            usage.round_trips++;
            count(null);
            return result;
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // batch() wants D1's own statement objects, so each proxy remembers its target.
    targets.set(proxy, statement);
    return proxy;
  };
  const db = new Proxy(d1, {
    get(target, property) {
      if (property === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (property === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((statement) => unwrap(statement)));
          usage.round_trips++;
          for (const result of results) count(result);
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, usage };
}

const targets = new WeakMap<object, D1PreparedStatement>();

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return targets.get(statement) ?? statement;
}
