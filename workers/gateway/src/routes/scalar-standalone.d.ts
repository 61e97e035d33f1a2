/** The text of `@scalar/api-reference/dist/browser/standalone.js` (a Text module; see the .js). */
declare const script: string;
export default script;
