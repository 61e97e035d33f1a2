// Rules for text a tenant gives us that is stored and later used where control characters break
// things or hide: names shown in lists and pages, and anything that ends up in an email header
// (subject, from, reply-to, a filename). Such text is refused, never cleaned up: a name with a NUL
// or a line break in it is a 422 naming the field, not a name silently changed.
import * as v from 'valibot';

/** C0 controls (NUL, tab, line breaks, ESC…), DEL and the C1 controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** The index of the first control character of `value`, or -1. */
export function controlCharacterAt(value: string): number {
  for (let index = 0; index < value.length; index++) {
    if (isControl(value.charCodeAt(index))) return index;
  }
  return -1;
}

/** The index of the first NUL of `value`, or -1. */
export function nulAt(value: string): number {
  return value.indexOf('\u0000');
}

const codePoint = (value: string, index: number) =>
  `U+${value.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * For names and header-bound fields: no control character at all (tabs and line breaks included).
 * Put it before `v.trim()`, so trailing line breaks are refused rather than cut off.
 */
export const NoControlChars = v.check<string, (issue: v.CheckIssue<string>) => string>(
  (value) => controlCharacterAt(value) < 0,
  (issue) => {
    const index = controlCharacterAt(issue.input);
    return `must not contain control characters such as NUL, tabs or line breaks (${codePoint(issue.input, index)} at character ${index + 1})`;
  },
);

/** For stored free text (bodies, fallback values), where tabs and line breaks belong: no NUL. */
export const NoNul = v.check<string, (issue: v.CheckIssue<string>) => string>(
  (value) => nulAt(value) < 0,
  (issue) => `must not contain NUL characters (U+0000 at character ${nulAt(issue.input) + 1})`,
);
