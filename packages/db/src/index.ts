export { runBatch } from './batch';
export { createDb, type Db, nowIso } from './client';
export * from './repositories/api-keys';
export * from './repositories/audit-log';
export * from './repositories/domains';
export type * from './schema';
