// CSV import of contacts: accept (create.ts), the queue consumer (consume.ts), reads (read.ts), and
// the cron's sweep of imports whose chunk messages were lost (sweeper.ts).
export { consumeImportsQueue } from './consume';
export { createContactImport } from './create';
export { getContactImport, listContactImportErrors, listContactImports } from './read';
export { sweepStalledImports } from './sweeper';
