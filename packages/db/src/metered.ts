// D1 bills by rows read and written. A metered binding counts the statements a piece of work runs
// and the rows they read and wrote (from D1's own result meta), so each accept and each send can log
// what it cost. It wraps only what kysely-d1 and runBatch use: prepare().bind().all()/run()/first()
// and batch().

export interface D1Usage {
  statements: number;
  rows_read: number;
  rows_written: number;
}

export function meteredD1(d1: D1Database): { db: D1Database; usage: D1Usage } {
  const usage: D1Usage = { statements: 0, rows_read: 0, rows_written: 0 };
  const count = (result: { meta?: { rows_read?: number; rows_written?: number } } | null | undefined) => {
    usage.statements++;
    usage.rows_read += result?.meta?.rows_read ?? 0;
    usage.rows_written += result?.meta?.rows_written ?? 0;
  };
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property, receiver) {
        if (property === 'bind') return (...values: unknown[]) => wrapStatement(target.bind(...values));
        if (property === 'all' || property === 'run') {
          return async () => {
            const result = await target[property]();
            count(result);
            return result;
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // batch() wants D1's own statement objects, so each proxy remembers its target.
    targets.set(proxy, statement);
    return proxy;
  };
  const db = new Proxy(d1, {
    get(target, property, receiver) {
      if (property === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (property === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((statement) => unwrap(statement)));
          for (const result of results) count(result);
          return results;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, usage };
}

const targets = new WeakMap<object, D1PreparedStatement>();

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return targets.get(statement) ?? statement;
}
