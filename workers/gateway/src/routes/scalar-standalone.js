// Scalar's standalone browser bundle (the API reference page's script) as a string: wrangler.jsonc's
// `rules` make this import a Text module, for wrangler's bundles and vitest-pool-workers alike. The
// package does not export the file, so it is reached by its path.
export { default } from '../../node_modules/@scalar/api-reference/dist/browser/standalone.js';
