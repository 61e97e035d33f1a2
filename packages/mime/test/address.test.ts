import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, toAsciiEmail } from '../src/index';
import { decodeWords } from './helpers';

describe('parseAddress', () => {
  it.each([
    ['a@b.com', { email: 'a@b.com' }],
    ['  a@b.com  ', { email: 'a@b.com' }],
    ['<a@b.com>', { email: 'a@b.com' }],
    ['Jane Doe <jane@example.com>', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['Jane   Doe<jane@example.com>', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['"Doe, Jane" <jane@example.com>', { name: 'Doe, Jane', email: 'jane@example.com' }],
    ['"Jane \\"JD\\" Doe" <jd@example.com>', { name: 'Jane "JD" Doe', email: 'jd@example.com' }],
    ['"a\\\\b" <ab@example.com>', { name: 'a\\b', email: 'ab@example.com' }],
    ['"" <a@b.com>', { email: 'a@b.com' }],
    ['Zoë <zoe@bücher.de>', { name: 'Zoë', email: 'zoe@bücher.de' }],
    ['山田 太郎 <taro@例え.jp>', { name: '山田 太郎', email: 'taro@例え.jp' }],
    ['user@xn--bcher-kva.de', { email: 'user@xn--bcher-kva.de' }],
    ['first.last+tag@mail.sub.example.co.uk', { email: 'first.last+tag@mail.sub.example.co.uk' }],
    ["o'brien@example.ie", { email: "o'brien@example.ie" }],
    ['x_y-z=1@my-domain.example', { email: 'x_y-z=1@my-domain.example' }],
    [`${'a'.repeat(64)}@example.com`, { email: `${'a'.repeat(64)}@example.com` }],
  ])('accepts %s', (input, expected) => {
    expect(parseAddress(input)).toEqual(expected);
  });

  it.each([
    '',
    '   ',
    'plainaddress',
    '@example.com',
    'a@',
    'a@b',
    'a@localhost',
    'a b@example.com',
    'a@exa mple.com',
    'a@@example.com',
    'a@b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    'ü@example.com',
    '"quoted local"@example.com',
    `${'a'.repeat(65)}@example.com`,
    'a@-example.com',
    'a@example-.com',
    'a@exa..mple.com',
    'a@example.com.',
    'a@exa_mple.com',
    `a@${'x'.repeat(64)}.com`,
    'a@127.0.0.1',
    'a@[127.0.0.1]',
    'a@0x7f.1',
    'a@example.123',
    'a@example.com:25',
    'a@example.com/path',
    'a@example.com?x',
    'a@example.com#x',
    'a@user:pass@example.com',
    'a@example.com\r\nBcc: victim@example.com',
    'a@example.com\nBcc: victim@example.com',
    'Jane <a@example.com>\r\nBcc: victim@example.com',
    'Jane\r\n <a@example.com>',
    'Jane\n<a@example.com>',
    'a@example.com\0',
    'a@exam\tple.com',
    'Jane <a@example.com',
    'Jane a@example.com>',
    'Jane <a@example.com> trailing',
    'Jane <<a@example.com>>',
    '"Unclosed <a@example.com>',
    'Ja"ne <a@example.com>',
    '"Ja"ne" <a@example.com>',
    '"Jane\\" <a@example.com>',
    'Jane <> ',
    'a@example.com, b@example.com',
    'Jane <a@example.com>, John <b@example.com>',
  ])('rejects %j', (input) => {
    expect(parseAddress(input)).toBeNull();
  });
});

describe('toAsciiEmail', () => {
  it('converts IDN domains to punycode and leaves the local part alone', () => {
    expect(toAsciiEmail('user@bücher.de')).toBe('user@xn--bcher-kva.de');
    expect(toAsciiEmail('taro@例え.jp')).toBe('taro@xn--r8jz45g.jp');
    expect(toAsciiEmail('User.Name@Mail.Example.COM')).toBe('User.Name@mail.example.com');
    expect(toAsciiEmail('a@xn--bcher-kva.de')).toBe('a@xn--bcher-kva.de');
  });

  it('throws on an invalid address', () => {
    expect(() => toAsciiEmail('not an address')).toThrow('Invalid email address');
    expect(() => toAsciiEmail('a@b.com\r\n')).toThrow();
  });
});

describe('formatAddress', () => {
  it('writes a bare address without a name', () => {
    expect(formatAddress({ email: 'a@example.com' })).toBe('a@example.com');
    expect(formatAddress({ name: '  ', email: 'a@example.com' })).toBe('a@example.com');
  });

  it('writes plain names as they are and quotes the others', () => {
    expect(formatAddress({ name: 'Jane Doe', email: 'jane@example.com' })).toBe(
      'Jane Doe <jane@example.com>',
    );
    expect(formatAddress({ name: 'Doe, Jane', email: 'j@example.com' })).toBe('"Doe, Jane" <j@example.com>');
    expect(formatAddress({ name: 'J. Doe', email: 'j@example.com' })).toBe('"J. Doe" <j@example.com>');
    expect(formatAddress({ name: 'Say "hi" \\o/', email: 'j@example.com' })).toBe(
      '"Say \\"hi\\" \\\\o/" <j@example.com>',
    );
  });

  it('encodes non-ASCII names as RFC 2047 words and the domain as punycode', () => {
    const formatted = formatAddress({ name: 'Zoë Müller', email: 'zoe@bücher.de' });
    expect(formatted).toBe('=?UTF-8?B?Wm/DqyBNw7xsbGVy?= <zoe@xn--bcher-kva.de>');
    expect(decodeWords(formatted.slice(0, formatted.indexOf(' <')))).toBe('Zoë Müller');
  });

  it('encodes a name that holds an encoded-word marker, so readers do not decode it', () => {
    expect(formatAddress({ name: '=?UTF-8?B?SGk=?=', email: 'a@example.com' })).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('round-trips through parseAddress for plain and quoted names', () => {
    for (const address of [
      { name: 'Jane Doe', email: 'jane@example.com' },
      { name: 'Doe, Jane "JD"', email: 'jane@example.com' },
      { email: 'a@example.com' },
    ]) {
      expect(parseAddress(formatAddress(address))).toEqual(address);
    }
  });

  it('throws on CR or LF in the name and on an invalid address', () => {
    expect(() => formatAddress({ name: 'Jane\r\nBcc: x@example.com', email: 'a@example.com' })).toThrow(
      'CR, LF',
    );
    expect(() => formatAddress({ name: 'Jane\n', email: 'a@example.com' })).toThrow();
    expect(() => formatAddress({ email: 'a@example.com>, evil@example.com' })).toThrow(
      'Invalid email address',
    );
  });
});
