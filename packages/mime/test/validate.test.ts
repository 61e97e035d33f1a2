// The checks buildMime runs, exported so that whoever accepts an email (the send worker) runs the
// same ones: every value they pass builds, every value they refuse makes buildMime throw.
import { describe, expect, it } from 'vitest';
import {
  type Attachment,
  buildMime,
  contentIdProblem,
  contentTypeProblem,
  headerNameProblem,
  headerTextProblem,
} from '../src/index';
import { message, transportProblems } from './helpers';

const file = (overrides: Partial<Attachment> = {}): Attachment => ({
  filename: 'a.txt',
  content: new Uint8Array([104, 105]),
  contentType: 'text/plain',
  ...overrides,
});

/** Where each kind of value goes in a message. */
const build = {
  subject: (value: string) => buildMime(message({ subject: value })),
  headerValue: (value: string) => buildMime(message({ headers: { 'X-Note': value } })),
  headerName: (value: string) => buildMime(message({ headers: { [value]: 'x' } })),
  filename: (value: string) => buildMime(message({ attachments: [file({ filename: value })] })),
  contentType: (value: string) => buildMime(message({ attachments: [file({ contentType: value })] })),
  contentId: (value: string) =>
    buildMime(message({ html: '<img src="cid:x">', attachments: [file({ contentId: value })] })),
};

const cases: [keyof typeof build, (value: string) => string | null, string[], string[]][] = [
  [
    'subject',
    headerTextProblem,
    ['Hello', 'Tab\tinside', 'Grüße 👋', 'x'.repeat(998), `${'é'.repeat(2000)}`, '=?not a word?='],
    ['a\u0000b', 'a\rb', 'a\nb', 'a\u0001', '\u001b[0m', 'a\u007f', 'a\u0085', 'a\u009f'],
  ],
  [
    'headerValue',
    headerTextProblem,
    ['ref-42', 'v'.repeat(998), `${'w '.repeat(499)}`, 'Köln'],
    ['a\u0000', 'a\r\nBcc: x@example.com', 'a\n', '\u0008'],
  ],
  [
    'headerName',
    headerNameProblem,
    ['X-Entity-Ref-ID', `X-${'n'.repeat(74)}`, 'List-Unsubscribe'],
    ['X Bad', 'X:Bad', 'X-\u0000', 'Grüße', '', `X-${'n'.repeat(75)}`, 'Subject', 'content-type', 'BCC'],
  ],
  [
    'filename',
    headerTextProblem,
    ['report.pdf', 'Größe 📊.pdf', `${'long name '.repeat(100)}.txt`, 'a"b\\c.txt'],
    ['a\u0000.pdf', 'a\u0001.pdf', 'a\r\n.pdf', 'a\u007f'],
  ],
  [
    'contentType',
    contentTypeProblem,
    ['application/pdf', ' text/plain ', 'text/plain; charset=utf-8', 'application/vnd.ms-excel'],
    ['not a type', 'pdf', 'text/plain\u0000', 'text/plain\r\nX: y', '/plain', `a/${'b'.repeat(254)}`],
  ],
  [
    'contentId',
    contentIdProblem,
    ['logo', '<logo@acme>', 'a.b-c_d@e'],
    ['a b', 'a\u0000', '<a<b>', 'a>', 'é', '', 'x'.repeat(256)],
  ],
];

describe('the checks buildMime runs, and the send worker runs at accept', () => {
  for (const [where, check, good, bad] of cases) {
    it.each(good.map((value) => [JSON.stringify(value).slice(0, 40), value]))(
      `${where}: %s passes and builds`,
      (_, value) => {
        expect(check(value)).toBeNull();
        expect(transportProblems(build[where](value))).toEqual([]);
      },
    );
    it.each(bad.map((value) => [JSON.stringify(value).slice(0, 40), value]))(
      `${where}: %s is refused, and buildMime throws the same problem`,
      (_, value) => {
        const problem = check(value);
        expect(problem).toEqual(expect.any(String));
        expect(() => build[where](value)).toThrow(problem as string);
      },
    );
  }
});
