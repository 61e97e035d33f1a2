// CSV import of contacts: accept (create.ts), the queue consumer (consume.ts), reads (read.ts).
export { consumeImportsQueue } from './consume';
export { createImport } from './create';
export { readImport, readImportErrors, readImports } from './read';
