// CSV import of contacts: accept (create.ts), the queue consumer (consume.ts), reads (read.ts).
export { consumeImportsQueue } from './consume';
export { createContactImport } from './create';
export { getContactImport, listContactImportErrors, listContactImports } from './read';
