import type { AddressObject } from 'mailparser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Attachment, buildMime, htmlToText } from '../src/index';
import { decodeWords, message, mimeTree, parse, shape, transportProblems } from './helpers';

const TEXT = [
  'Hello Zoë 👋🏽,',
  '',
  `A long line that goes well past seventy-six characters: ${'lorem ipsum dolor sit amet '.repeat(8)}end.`,
  `${'x'.repeat(75)}=`,
  `${'y'.repeat(76)}`,
  `${'é'.repeat(40)}`,
  'Trailing spaces here   ',
  'Trailing tab here\t',
  'Equals: a=b, ==, =3D, =\u00a0',
  '.A line starting with a dot',
  'From the start of a line',
  '  indented line',
  '',
  '',
  'Emoji at the end 🚀',
].join('\n');

const HTML = [
  '<!doctype html>',
  '<html><head><meta charset="utf-8"><style>p { margin: 0 }</style></head>',
  `<body style="font-family: Helvetica, Arial, sans-serif; color: #333333; background-color: #ffffff; margin: 0; padding: 0;">`,
  '<p>Grüße from <b>Zoë</b> 👋 — “quoted” &amp; =3D signs = fine</p>',
  `<p>${'Ünïcödé text that is long enough to need several soft line breaks. '.repeat(5)}</p>`,
  '<img src="cid:logo@mailgrid" alt="Logo">   ',
  '</body></html>',
].join('\n');

const ALL_BYTES = Uint8Array.from({ length: 256 * 3 + 1 }, (_, i) => i % 256);
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

const pdf: Attachment = {
  filename: 'Größe-Übersicht 📊.pdf',
  content: new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n'),
  contentType: 'application/pdf',
};
const binary: Attachment = {
  filename: 'all-bytes.bin',
  content: ALL_BYTES,
  contentType: 'application/octet-stream',
};
const logo: Attachment = {
  filename: 'logo.png',
  content: PNG,
  contentType: 'image/png',
  contentId: 'logo@mailgrid',
};

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) =>
    group.value.map(({ name, address }) => ({ name, address })),
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('buildMime: round trip through mailparser', () => {
  it('keeps addresses, with non-ASCII display names and IDN domains', async () => {
    const raw = buildMime(
      message({
        from: { name: 'Grüße 👋 from Zoë', email: 'zoe@bücher.de' },
        to: [{ name: '山田 太郎', email: 'taro@example.jp' }, { email: 'ada@example.org' }],
        cc: [{ name: 'Doe, Jane', email: 'jane@example.com' }],
        replyTo: [{ name: 'Support "Team"', email: 'support@example.com' }],
      }),
    );
    const parsed = await parse(raw);
    expect(addresses(parsed.from)).toEqual([{ name: 'Grüße 👋 from Zoë', address: 'zoe@bücher.de' }]);
    expect(addresses(parsed.to)).toEqual([
      { name: '山田 太郎', address: 'taro@example.jp' },
      { name: '', address: 'ada@example.org' },
    ]);
    expect(addresses(parsed.cc)).toEqual([{ name: 'Doe, Jane', address: 'jane@example.com' }]);
    expect(addresses(parsed.replyTo)).toEqual([{ name: 'Support "Team"', address: 'support@example.com' }]);
    // On the wire the domain is punycode and the names are encoded words.
    expect(raw).toContain('<zoe@xn--bcher-kva.de>');
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it('leaves out Cc and Reply-To when there are none', () => {
    const raw = buildMime(message());
    expect(raw).not.toMatch(/^Cc:/im);
    expect(raw).not.toMatch(/^Reply-To:/im);
  });

  it('keeps a non-ASCII subject, and a long one folded into several encoded words', async () => {
    for (const subject of [
      'Grüße 👋 from Zoë',
      `Ihre Bestellung ist unterwegs — ${'größer '.repeat(20)}🚚`,
    ]) {
      const raw = buildMime(message({ subject }));
      const parsed = await parse(raw);
      expect(parsed.subject).toBe(subject);
      const field = mimeTree(raw).headers.get('subject') as string;
      expect(decodeWords(field)).toBe(subject);
    }
  });

  it('folds a 998-character subject without a space into encoded words on lines within 998', async () => {
    for (const subject of ['x'.repeat(998), `${'é'.repeat(997)}x`, `a${'=?'.repeat(498)}b`]) {
      const raw = buildMime(message({ subject }));
      expect(transportProblems(raw, 78)).toEqual([]);
      const field = mimeTree(raw).headers.get('subject') as string;
      // Every word a valid RFC 2047 word of at most 75 characters, decoding to the subject.
      for (const word of field.split(' ')) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/]+={0,2}\?=$/);
      expect(Math.max(...field.split(' ').map((word) => word.length))).toBeLessThanOrEqual(75);
      expect(decodeWords(field)).toBe(subject);
      expect((await parse(raw)).subject).toBe(subject);
    }
  });

  it('keeps a long subject with spaces as plain folded text', async () => {
    const subject = `${'word '.repeat(198)}end`;
    const raw = buildMime(message({ subject }));
    expect(transportProblems(raw, 78)).toEqual([]);
    expect(raw).not.toContain('=?UTF-8?');
    expect((await parse(raw)).subject).toBe(subject);
  });

  it('folds a 998-character header value without a space into encoded words', async () => {
    const value = 'v'.repeat(998);
    const name = `X-${'n'.repeat(74)}`;
    const raw = buildMime(message({ headers: { 'X-Long': value, [name]: value } }));
    expect(transportProblems(raw, 78)).toEqual([]);
    const tree = mimeTree(raw);
    for (const key of ['x-long', name.toLowerCase()]) {
      const field = tree.headers.get(key) as string;
      for (const word of field.split(' ')) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/]+={0,2}\?=$/);
      expect(decodeWords(field)).toBe(value);
    }
    // A long unbreakable word that fits a line of its own is written as it is.
    const url = `<https://example.com/${'x'.repeat(900)}>`;
    const plain = buildMime(message({ headers: { 'X-Url': url } }));
    expect(transportProblems(plain)).toEqual([]);
    expect(mimeTree(plain).headers.get('x-url')).toBe(url);
  });

  it('keeps text and html bodies exactly: long lines, trailing whitespace, = signs, emoji', async () => {
    const parsed = await parse(buildMime(message({ text: TEXT, html: HTML })));
    expect(parsed.text).toBe(TEXT);
    expect(parsed.html).toBe(HTML);
  });

  it('keeps a single-part body exactly, with and without a final line break', async () => {
    for (const text of [TEXT, `${TEXT}\n`, 'x', `${'z'.repeat(76)}`, 'ends with space ']) {
      const raw = buildMime(message({ text }));
      expect((await parse(raw)).text).toBe(text);
      expect(transportProblems(raw)).toEqual([]);
    }
  });

  it('derives the text part from the html when there is no text', async () => {
    const html =
      '<h1>Welcome</h1><p>Confirm at <a href="https://example.com/c?t=1&amp;u=2">this link</a>.</p>';
    const parsed = await parse(buildMime(message({ text: undefined, html })));
    expect(parsed.html).toBe(html);
    expect(parsed.text).toBe('Welcome\n\nConfirm at this link (https://example.com/c?t=1&u=2).');
    expect(parsed.text).toBe(htmlToText(html));
  });

  it('keeps attachments byte for byte, with non-ASCII and long file names', async () => {
    const long: Attachment = {
      filename: `${'長いファイル名'.repeat(12)}.txt`,
      content: new TextEncoder().encode('long name'),
      contentType: 'text/plain; charset=utf-8',
    };
    const longAscii: Attachment = {
      filename: `${'quarterly-report-'.repeat(6)}2025 final "v2".csv`,
      content: new TextEncoder().encode('a,b\n1,2\n'),
      contentType: 'text/csv',
    };
    const raw = buildMime(message({ html: HTML, attachments: [pdf, binary, long, longAscii] }));
    const parsed = await parse(raw);
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      pdf.filename,
      binary.filename,
      long.filename,
      longAscii.filename,
    ]);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual([
      'application/pdf',
      'application/octet-stream',
      'text/plain',
      'text/csv',
    ]);
    expect(new Uint8Array(parsed.attachments[0]?.content as Buffer)).toEqual(pdf.content);
    expect(new Uint8Array(parsed.attachments[1]?.content as Buffer)).toEqual(ALL_BYTES);
    expect(new Uint8Array(parsed.attachments[2]?.content as Buffer)).toEqual(long.content);
    expect(parsed.attachments.every((a) => a.contentDisposition === 'attachment' && !a.related)).toBe(true);
    // RFC 2231 with an ASCII fallback for the non-ASCII name.
    expect(raw).toContain(`filename="Grosse-Ubersicht _.pdf"`);
    expect(raw).toContain(`filename*=utf-8''Gr%C3%B6%C3%9Fe-%C3%9Cbersicht%20%F0%9F%93%8A.pdf`);
    expect(raw).toContain(`filename*0*=utf-8''`);
    expect(transportProblems(raw)).toEqual([]);
  });

  it('puts an inline image in multipart/related with its Content-ID', async () => {
    const raw = buildMime(message({ html: HTML, attachments: [logo] }));
    const parsed = await parse(raw);
    expect(parsed.html).toBe(HTML);
    expect(parsed.attachments).toHaveLength(1);
    const image = parsed.attachments[0];
    expect(image?.related).toBe(true);
    expect(image?.contentId).toBe('<logo@mailgrid>');
    expect(image?.cid).toBe('logo@mailgrid');
    expect(image?.contentDisposition).toBe('inline');
    expect(new Uint8Array(image?.content as Buffer)).toEqual(PNG);
    const related = mimeTree(raw);
    expect(related.type).toBe('multipart/related');
    expect(related.headers.get('content-type')).toContain('type="multipart/alternative"');
  });

  it('accepts a Content-ID given with angle brackets', async () => {
    const raw = buildMime(message({ html: HTML, attachments: [{ ...logo, contentId: '<logo@mailgrid>' }] }));
    expect((await parse(raw)).attachments[0]?.contentId).toBe('<logo@mailgrid>');
    expect(raw).toContain('Content-ID: <logo@mailgrid>\r\n');
  });

  it('passes custom headers through, encoding non-ASCII values', async () => {
    const unsubscribe =
      '<https://example.com/unsubscribe?token=0123456789abcdef>, <mailto:unsub@example.com>';
    const raw = buildMime(
      message({
        headers: {
          'X-Entity-Ref-ID': 'ref-42',
          'List-Unsubscribe': unsubscribe,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Greeting': 'Grüße aus Köln',
        },
      }),
    );
    const parsed = await parse(raw);
    expect(parsed.headers.get('x-entity-ref-id')).toBe('ref-42');
    // mailparser gathers List-* headers under `list`.
    expect(parsed.headers.get('list')).toEqual({
      unsubscribe: {
        url: 'https://example.com/unsubscribe?token=0123456789abcdef',
        mail: 'unsub@example.com',
      },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    const tree = mimeTree(raw);
    // mailparser leaves unknown headers encoded; the value is one RFC 2047 word.
    expect(parsed.headers.get('x-greeting')).toBe(tree.headers.get('x-greeting'));
    expect(decodeWords(tree.headers.get('x-greeting') as string)).toBe('Grüße aus Köln');
    expect(tree.headers.get('list-unsubscribe')).toBe(unsubscribe);
    // Custom headers come after the standard ones, before the content headers.
    const names = [...tree.headers.keys()];
    expect(names.indexOf('mime-version')).toBeLessThan(names.indexOf('x-entity-ref-id'));
    expect(names.indexOf('x-greeting')).toBeLessThan(names.indexOf('content-type'));
  });

  it('writes Date in RFC 5322 form and the Message-ID as given', async () => {
    const date = new Date('2025-02-03T04:05:06Z');
    const raw = buildMime(message({ date }));
    expect(raw).toContain('\r\nDate: Mon, 3 Feb 2025 04:05:06 +0000\r\n');
    expect(raw).toContain('\r\nMessage-ID: <0b9e3a52-7c1f-4a8e-9d35-2f6c1e0a7b44@mail.example.com>\r\n');
    expect(raw).toContain('\r\nMIME-Version: 1.0\r\n');
    const parsed = await parse(raw);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.messageId).toBe('<0b9e3a52-7c1f-4a8e-9d35-2f6c1e0a7b44@mail.example.com>');
  });

  it('writes an IDN Message-ID domain in punycode', async () => {
    const raw = buildMime(message({ messageId: '<abc-123@bücher.de>' }));
    expect(raw).toContain('\r\nMessage-ID: <abc-123@xn--bcher-kva.de>\r\n');
    expect(transportProblems(raw)).toEqual([]);
  });

  it('folds long address lists and keeps every recipient', async () => {
    const to = Array.from({ length: 30 }, (_, i) => ({
      name: `Recipient Number ${i}`,
      email: `r${i}@example.com`,
    }));
    const raw = buildMime(message({ to }));
    const field = raw.slice(raw.indexOf('\r\nTo: ') + 2, raw.indexOf('\r\nSubject:'));
    expect(field.split('\r\n').length).toBeGreaterThan(5);
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(addresses((await parse(raw)).to)).toEqual(to.map((a) => ({ name: a.name, address: a.email })));
  });
});

describe('buildMime: structure', () => {
  const alternative = ['multipart/alternative', ['text/plain', 'text/html']];
  const cases: [string, Parameters<typeof message>[0], unknown][] = [
    ['text only', { text: 'Hi' }, 'text/plain'],
    ['html only (text derived)', { text: undefined, html: '<p>Hi</p>' }, alternative],
    ['html only, nothing to derive', { text: undefined, html: '<img src="cid:x" alt="">' }, 'text/html'],
    ['text and html', { html: '<p>Hi</p>' }, alternative],
    [
      'text, html and attachment',
      { html: '<p>Hi</p>', attachments: [pdf] },
      ['multipart/mixed', [alternative, 'application/pdf']],
    ],
    [
      'text, html and inline image',
      { html: '<p>Hi</p>', attachments: [logo] },
      ['multipart/related', [alternative, 'image/png']],
    ],
    [
      'text, html, inline image and attachments',
      { html: '<p>Hi</p>', attachments: [pdf, logo, binary] },
      [
        'multipart/mixed',
        [['multipart/related', [alternative, 'image/png']], 'application/pdf', 'application/octet-stream'],
      ],
    ],
    [
      'html only with an inline image, nothing to derive',
      { text: undefined, html: '<img src="cid:logo@mailgrid">', attachments: [logo] },
      ['multipart/related', ['text/html', 'image/png']],
    ],
    [
      'text and attachment',
      { attachments: [binary] },
      ['multipart/mixed', ['text/plain', 'application/octet-stream']],
    ],
    [
      'text and inline image (no html)',
      { attachments: [logo] },
      ['multipart/mixed', ['text/plain', 'image/png']],
    ],
  ];

  it.each(cases)('%s', async (_, overrides, expected) => {
    const raw = buildMime(message(overrides));
    const tree = mimeTree(raw);
    expect(shape(tree)).toEqual(expected);
    expect(transportProblems(raw, 78)).toEqual([]);
    // Every boundary is absent from the parts it separates.
    const check = (node: typeof tree): void => {
      const boundary = /boundary="([^"]+)"/.exec(node.headers.get('content-type') ?? '')?.[1];
      for (const child of node.children) {
        expect(child.raw).not.toContain(boundary);
        check(child);
      }
    };
    check(tree);
    // mailparser reads the same message.
    const parsed = await parse(raw);
    expect(parsed.attachments.length).toBe(overrides?.attachments?.length ?? 0);
  });

  it('writes text parts as quoted-printable UTF-8 and attachments as base64 in 76-column lines', () => {
    const raw = buildMime(message({ html: HTML, attachments: [binary] }));
    const [alt, attachment] = mimeTree(raw).children;
    for (const part of alt?.children ?? []) {
      expect(part.headers.get('content-type')).toMatch(/^text\/(plain|html); charset=utf-8$/);
      expect(part.headers.get('content-transfer-encoding')).toBe('quoted-printable');
    }
    expect(attachment?.headers.get('content-transfer-encoding')).toBe('base64');
    expect(attachment?.headers.get('content-disposition')).toBe('attachment; filename="all-bytes.bin"');
    const lines = (attachment?.raw ?? '').split('\r\n\r\n')[1]?.split('\r\n') ?? [];
    expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
    expect(lines.join('')).toBe(Buffer.from(ALL_BYTES).toString('base64'));
  });

  it('uses a new random boundary per message', () => {
    const boundary = (raw: string) => /boundary="([^"]+)"/.exec(raw)?.[1];
    const a = boundary(buildMime(message({ html: '<p>x</p>' })));
    const b = boundary(buildMime(message({ html: '<p>x</p>' })));
    expect(a).toMatch(/^=_mg_[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('draws another boundary when the first one occurs in a part', () => {
    const clash = `=_mg_${'00'.repeat(16)}`;
    const real = crypto.getRandomValues.bind(crypto);
    const spy = vi
      .spyOn(crypto, 'getRandomValues')
      .mockImplementationOnce(<T extends ArrayBufferView | null>(array: T): T => array)
      .mockImplementation(real);
    const raw = buildMime(message({ attachments: [{ ...binary, filename: `${clash}.txt` }] }));
    expect(spy).toHaveBeenCalledTimes(2);
    const tree = mimeTree(raw);
    expect(tree.headers.get('content-type')).not.toContain(clash);
    expect(shape(tree)).toEqual(['multipart/mixed', ['text/plain', 'application/octet-stream']]);
  });

  it('writes a fully 7-bit message with CRLF endings and short lines', () => {
    const raw = buildMime(
      message({
        from: { name: 'Zoë', email: 'zoe@bücher.de' },
        subject: `Grüße 👋 ${'sehr lang '.repeat(30)}`,
        text: TEXT,
        html: HTML,
        headers: { 'X-Note': `Notiz: ${'ä'.repeat(100)}` },
        attachments: [pdf, binary, logo],
      }),
    );
    expect(transportProblems(raw, 78)).toEqual([]);
  });
});

describe('buildMime: rejects what it must not write', () => {
  it.each([
    'From',
    'to',
    'CC',
    'Bcc',
    'Reply-To',
    'subject',
    'Date',
    'Message-ID',
    'MIME-Version',
    'Content-Type',
    'content-transfer-encoding',
  ])('custom header %s', (name) => {
    expect(() => buildMime(message({ headers: { [name]: 'x' } }))).toThrow(name);
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['subject with LF only', { subject: 'Hi\nBcc: victim@example.com' }],
    ['custom header value', { headers: { 'X-Tag': 'a\r\nBcc: victim@example.com' } }],
    ['custom header name', { headers: { 'X-Tag\r\nBcc': 'victim@example.com' } }],
    ['custom header name with a colon', { headers: { 'X-Tag: y': 'z' } }],
    ['display name', { to: [{ name: 'Ada\r\nBcc: victim@example.com', email: 'ada@example.org' }] }],
    ['address', { to: [{ email: 'ada@example.org\r\nBcc: victim@example.com' }] }],
    ['invalid address', { cc: [{ email: 'not an address' }] }],
    ['attachment filename', { attachments: [{ ...pdf, filename: 'a.pdf"\r\nX-Evil: 1' }] }],
    ['attachment content type', { attachments: [{ ...pdf, contentType: 'application/pdf\r\nX-Evil: 1' }] }],
    ['attachment content type that is not one', { attachments: [{ ...pdf, contentType: 'pdf' }] }],
    ['content id', { attachments: [{ ...logo, contentId: 'a b@c' }] }],
    ['NUL in the subject', { subject: 'Hi\u0000there' }],
    ['ESC in the subject', { subject: 'Hi\u001b[31m' }],
    ['DEL in the subject', { subject: 'Hi\u007f' }],
    ['a C1 control in the subject', { subject: 'Hi\u0085there' }],
    ['NUL in a custom header value', { headers: { 'X-Tag': 'a\u0000b' } }],
    ['a line break at the end of a custom header value', { headers: { 'X-Tag': 'a\n' } }],
    ['NUL in an attachment filename', { attachments: [{ ...pdf, filename: 'a\u0000.pdf' }] }],
    ['a control character in an attachment filename', { attachments: [{ ...pdf, filename: 'a\u0001.pdf' }] }],
    [
      'NUL in an attachment content type',
      { attachments: [{ ...pdf, contentType: 'application/pdf\u0000' }] },
    ],
    ['an attachment content type with a space', { attachments: [{ ...pdf, contentType: 'not a type' }] }],
    ['NUL in a content id', { attachments: [{ ...logo, contentId: 'logo\u0000' }] }],
    ['a content id with a space', { attachments: [{ ...logo, contentId: 'a b' }] }],
    ['a custom header name over 76 characters', { headers: { [`X-${'n'.repeat(75)}`]: 'x' } }],
    ['message id without brackets', { messageId: 'abc@example.com' }],
    ['message id with CRLF', { messageId: '<abc@example.com>\r\nBcc: victim@example.com' }],
    ['message id with a non-ASCII left part', { messageId: '<zoë@example.com>' }],
    ['message id with spaces', { messageId: '<a b@example.com>' }],
    ['invalid date', { date: new Date('nope') }],
    ['neither text nor html', { text: undefined, html: undefined }],
  ])('%s', (_, overrides) => {
    expect(() => buildMime(message(overrides as Parameters<typeof message>[0]))).toThrow();
  });
});
