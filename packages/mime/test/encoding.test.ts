import { describe, expect, it } from 'vitest';
import { base64Body } from '../src/base64';
import { base64, canFold, encodeHeaderWord, encodeQuotedPrintable, foldHeader, foldText } from '../src/index';
import { decodeQuotedPrintable, decodeWords } from './helpers';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

describe('encodeHeaderWord', () => {
  it('leaves printable ASCII as it is', () => {
    expect(encodeHeaderWord('Hello, world! (100% = fine)')).toBe('Hello, world! (100% = fine)');
    expect(encodeHeaderWord('')).toBe('');
  });

  it('encodes non-ASCII text as one UTF-8 B word', () => {
    expect(encodeHeaderWord('Grüße')).toBe('=?UTF-8?B?R3LDvMOfZQ==?=');
    expect(decodeWords(encodeHeaderWord('Grüße 👋 from Zoë'))).toBe('Grüße 👋 from Zoë');
  });

  it('encodes ASCII that holds =?, which a reader would decode', () => {
    expect(encodeHeaderWord('=?UTF-8?B?SGk=?=')).not.toBe('=?UTF-8?B?SGk=?=');
    expect(decodeWords(encodeHeaderWord('=?UTF-8?B?SGk=?='))).toBe('=?UTF-8?B?SGk=?=');
  });

  it('splits long text into words of at most 75 characters, each holding whole characters', () => {
    for (const text of [
      `注文番号 12345 のご注文ありがとうございます。${'発送準備中です。'.repeat(12)}`,
      `${'👋🏽'.repeat(30)} Grüße`,
      `${'a'.repeat(44)}é${'b'.repeat(44)}€${'c'.repeat(43)}😀`,
    ]) {
      const encoded = encodeHeaderWord(text);
      const words = encoded.split(' ');
      expect(words.length).toBeGreaterThan(2);
      for (const word of words) {
        expect(word.length).toBeLessThanOrEqual(75);
        expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/]+={0,2}\?=$/);
        // Each word decodes on its own: no UTF-8 sequence is cut between two words.
        const bytes = Buffer.from(word.slice(10, -2), 'base64');
        expect(() => fatal.decode(bytes)).not.toThrow();
      }
      expect(decodeWords(encoded)).toBe(text);
    }
  });
});

describe('foldHeader', () => {
  it('keeps a short header on one line', () => {
    expect(foldHeader('Subject', 'Hello')).toBe('Subject: Hello');
  });

  it('folds before whitespace within 78 characters, and unfolds to the same value', () => {
    const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const folded = foldHeader('X-Words', value);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const [i, line] of lines.entries()) {
      expect(line.length).toBeLessThanOrEqual(78);
      if (i > 0) expect(line).toMatch(/^ \S/);
    }
    expect(folded.replace(/\r\n/g, '')).toBe(`X-Words: ${value}`);
  });

  it('keeps runs of spaces through folding', () => {
    const value = `${'abc  '.repeat(30)}end`;
    expect(foldHeader('X-Spaces', value).replace(/\r\n/g, '')).toBe(`X-Spaces: ${value}`);
  });

  it('moves a first word that does not fit beside the name to the next line', () => {
    const word = `=?UTF-8?B?${'A'.repeat(60)}?=`;
    expect(foldHeader('Subject', `${word} ${word}`)).toBe(`Subject:\r\n ${word}\r\n ${word}`);
  });

  it('allows a long unbreakable word up to 998 characters and throws past that', () => {
    const url = `<https://example.com/${'x'.repeat(900)}>`;
    expect(
      foldHeader('List-Unsubscribe', url)
        .split('\r\n')
        .every((l) => l.length <= 998),
    ).toBe(true);
    expect(() => foldHeader('List-Unsubscribe', `<https://example.com/${'x'.repeat(1000)}>`)).toThrow('998');
  });

  it('throws on CR, LF, non-ASCII or an invalid name', () => {
    expect(() => foldHeader('Subject', 'a\r\nBcc: b@example.com')).toThrow('CR, LF');
    expect(() => foldHeader('Subject', 'a\nb')).toThrow();
    expect(() => foldHeader('Subject', 'Grüße')).toThrow('7-bit');
    expect(() => foldHeader('Bad Name', 'x')).toThrow('Invalid header name');
    expect(() => foldHeader('Bad:Name', 'x')).toThrow('Invalid header name');
  });
});

describe('foldText (unstructured header text)', () => {
  const words = (folded: string) =>
    folded
      .replace(/^[^:]+:/, '')
      .trim()
      .split(/\s+/);

  it('writes printable ASCII as it is, folded at whitespace', () => {
    const value = `${'plain words '.repeat(20)}end`;
    const folded = foldText('Subject', value);
    expect(folded).not.toContain('=?');
    expect(folded.replace(/\r\n/g, '')).toBe(`Subject: ${value}`);
  });

  it('keeps a word that fits a line of its own, and encodes one that does not', () => {
    expect(foldText('X-Word', 'w'.repeat(997))).toBe(`X-Word:\r\n ${'w'.repeat(997)}`);
    for (const value of ['w'.repeat(998), `short ${'w'.repeat(2000)} tail`]) {
      expect(canFold(value)).toBe(false);
      const folded = foldText('X-Word', value);
      for (const line of folded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      for (const word of words(folded)) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/]+={0,2}\?=$/);
      expect(decodeWords(folded.replace(/^X-Word:/, ''))).toBe(value);
    }
  });

  it('refuses line breaks and other control characters, and allows a tab', () => {
    expect(() => foldText('Subject', 'a\r\nBcc: b@example.com')).toThrow('line breaks');
    expect(() => foldText('Subject', 'a\u0000b')).toThrow('control characters');
    expect(foldText('Subject', 'a\tb')).toBe('Subject: a\tb');
  });
});

describe('encodeQuotedPrintable', () => {
  const lines = (encoded: string) => encoded.split('\r\n');

  it('escapes =, non-ASCII and control characters and keeps the rest', () => {
    expect(encodeQuotedPrintable('a=b é\u0001~')).toBe('a=3Db =C3=A9=01~');
  });

  it('escapes a space or tab that ends a line, and only that one', () => {
    expect(encodeQuotedPrintable('end  \nand\t\nnot here')).toBe('end =20\r\nand=09\r\nnot here');
  });

  it('writes line breaks as CRLF whatever the input used', () => {
    expect(encodeQuotedPrintable('a\nb\r\nc\rd')).toBe('a\r\nb\r\nc\r\nd');
  });

  it('keeps a 76-character line whole and breaks a 77-character one', () => {
    expect(encodeQuotedPrintable('a'.repeat(76))).toBe('a'.repeat(76));
    expect(lines(encodeQuotedPrintable('a'.repeat(77)))).toEqual([`${'a'.repeat(75)}=`, 'aa']);
  });

  it('never cuts an escape at a soft break', () => {
    const encoded = encodeQuotedPrintable(`${'x'.repeat(73)}éééé`);
    for (const line of lines(encoded)) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^(?:[^=]|=[0-9A-F]{2})*=?$/);
    }
    expect(decodeQuotedPrintable(encoded)).toBe(`${'x'.repeat(73)}éééé`);
  });

  it('ends with a soft break when terminated, so the text still decodes exactly', () => {
    expect(encodeQuotedPrintable('hello', true)).toBe('hello=\r\n');
    expect(encodeQuotedPrintable('hello\n', true)).toBe('hello\r\n');
    expect(encodeQuotedPrintable('', true)).toBe('');
    const encoded = encodeQuotedPrintable('a'.repeat(76), true);
    expect(lines(encoded).every((line) => line.length <= 76)).toBe(true);
    expect(decodeQuotedPrintable(encoded)).toBe('a'.repeat(76));
  });

  it('round-trips random text and keeps every line within 76 characters', () => {
    const alphabet = ['a', 'Z', ' ', '\t', '=', '.', '\n', 'é', '€', '😀', '~', '-', '日'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const length = Math.floor(random() * 300);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      for (const terminated of [false, true]) {
        const encoded = encodeQuotedPrintable(text, terminated);
        expect(/[^\x20-\x7e\r\n]/.test(encoded.replace(/\t/g, ''))).toBe(false);
        for (const line of lines(encoded)) {
          expect(line.length).toBeLessThanOrEqual(76);
          expect(line).not.toMatch(/[ \t]$/);
        }
        expect(decodeQuotedPrintable(encoded)).toBe(text.replace(/\n/g, '\r\n'));
      }
    }
  });
});

describe('base64', () => {
  it('matches the standard encoding for every length and padding', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256);
    for (let n = 0; n <= 10; n++) {
      expect(base64(bytes.subarray(0, n))).toBe(Buffer.from(bytes.subarray(0, n)).toString('base64'));
    }
    expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('wraps a body in 76-character CRLF lines with no trailing line break', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131) % 256);
    for (const n of [0, 1, 2, 56, 57, 58, 113, 114, 115, 1000]) {
      const standard = Buffer.from(bytes.subarray(0, n)).toString('base64');
      const expected = standard.match(/.{1,76}/g)?.join('\r\n') ?? '';
      expect(base64Body(bytes.subarray(0, n))).toBe(expected);
    }
  });
});
