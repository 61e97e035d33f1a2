/** Elements whose content never shows as text. */
const DROPPED = new Set([
  'head',
  'script',
  'style',
  'title',
  'template',
  'noscript',
  'svg',
  'object',
  'iframe',
]);
/** Elements that never have a closing tag. */
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
/** Blocks that stand apart with a blank line. */
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
]);
/** Blocks that start on a new line. */
const LINE = new Set([
  'div',
  'tr',
  'li',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'nav',
  'aside',
  'figure',
  'figcaption',
  'address',
  'center',
  'form',
  'fieldset',
  'caption',
  'tbody',
  'thead',
  'tfoot',
  'body',
]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  bull: '•',
  middot: '·',
  deg: '°',
  times: '×',
  divide: '÷',
  plusmn: '±',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  dagger: '†',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  hearts: '♥',
  check: '✓',
  iexcl: '¡',
  iquest: '¿',
  shy: '\u00ad',
  zwnj: '\u200c',
  zwj: '\u200d',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  Eacute: 'É',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  ntilde: 'ñ',
  Ntilde: 'Ñ',
  ccedil: 'ç',
  Ccedil: 'Ç',
  oslash: 'ø',
  aring: 'å',
  aelig: 'æ',
};

/** Decodes named (common ones) and numeric character references; unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?/g,
    (match, dec, hex, name) => {
      if (name !== undefined) return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? match;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    },
  );
}

interface Tag {
  name: string;
  closing: boolean;
  attributes: Record<string, string>;
  /** Index just past the `>`. */
  end: number;
}

/** Reads the tag starting at `html[start] === '<'`, or null when it is not a tag (a literal `<`). */
function readTag(html: string, start: number): Tag | null {
  const match = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)/.exec(html.slice(start, start + 64));
  if (match === null) return null;
  const attributes: Record<string, string> = {};
  let i = start + match[0].length;
  const attribute = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?|\s*\/|\s+/y;
  while (i < html.length && html[i] !== '>') {
    attribute.lastIndex = i;
    const found = attribute.exec(html);
    if (found === null || found[0] === '') {
      i++;
      continue;
    }
    if (found[1] !== undefined) {
      attributes[found[1].toLowerCase()] = decodeEntities(found[2] ?? found[3] ?? found[4] ?? '');
    }
    i = attribute.lastIndex;
  }
  return {
    name: (match[2] as string).toLowerCase(),
    closing: match[1] === '/',
    attributes,
    end: Math.min(i + 1, html.length),
  };
}

/** Collects text with collapsed whitespace and the line breaks blocks ask for. */
class TextWriter {
  private out = '';
  private breaks = 0;
  private space = false;
  /** Text written before the next text on a fresh line (list markers). */
  prefix = '';
  indent = '';

  /** Asks for `count` line breaks (1: new line, 2: blank line) before the next text. */
  lineBreak(count: number): void {
    if (this.out !== '') this.breaks = Math.max(this.breaks, count);
  }

  /** Inline text: whitespace runs become one space, and none are kept at line starts. */
  text(raw: string): void {
    const collapsed = raw.replace(/[ \t\n\r\f]+/g, ' ');
    if (collapsed.startsWith(' ')) this.space = true;
    const words = collapsed.trim();
    if (words === '') return;
    this.write(words);
    this.space = collapsed.endsWith(' ');
  }

  /** Text kept exactly as written, line breaks included (`<pre>`). */
  preformatted(raw: string): void {
    raw.split(/\r\n|\r|\n/).forEach((line, i) => {
      if (i > 0) this.hardBreak();
      if (line !== '') this.write(line);
    });
  }

  /** A `<br>`: one line break, even several in a row. */
  hardBreak(): void {
    this.flushBreaks();
    this.out += '\n';
    this.space = false;
  }

  /** Everything written since `mark` (a value of `length`). */
  since(mark: number): string {
    return this.out.slice(mark);
  }

  get length(): number {
    return this.out.length;
  }

  private flushBreaks(): void {
    if (this.breaks > 0) {
      this.out = this.out.replace(/[ \t]+$/, '');
      const trailing = /\n*$/.exec(this.out)?.[0].length ?? 0;
      this.out += '\n'.repeat(Math.max(0, this.breaks - trailing));
      this.breaks = 0;
      this.space = false;
    }
  }

  private write(words: string): void {
    this.flushBreaks();
    const atLineStart = this.out === '' || this.out.endsWith('\n');
    if (atLineStart) {
      this.out += this.indent + this.prefix;
      this.prefix = '';
    } else if (this.space) {
      this.out += ' ';
    }
    this.space = false;
    this.out += words;
  }

  result(): string {
    return this.out
      .replace(/\u00a0/g, ' ')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }
}

/** Soft hyphen, combining grapheme joiner, zero-widths and BOM: preheader padding in many emails. */
const INVISIBLE = /\u00ad|\u034f|[\u200b-\u200d]|\u2060|\ufeff/g;
const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all)/i;

/**
 * Readable plain text from an email's html: paragraphs and blocks on their own lines, `<br>` as a
 * line break, links as `text (url)`, list items as `- item` (`1. item` in ordered lists), table
 * cells side by side, images by their alt text. Head, script, style and hidden elements (preheaders
 * styled `display:none`) are dropped; common entities are decoded.
 */
export function htmlToText(html: string): string {
  const writer = new TextWriter();
  const lists: { ordered: boolean; next: number }[] = [];
  const links: { href: string; mark: number }[] = [];
  let pre = 0;
  let i = 0;
  const emitText = (raw: string): void => {
    const decoded = decodeEntities(raw).replace(INVISIBLE, '');
    if (pre > 0) writer.preformatted(decoded);
    else writer.text(decoded);
  };

  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      emitText(html.slice(i));
      break;
    }
    if (lt > i) emitText(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    if (html.startsWith('<!', lt) || html.startsWith('<?', lt)) {
      const close = html.indexOf('>', lt);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    const tag = readTag(html, lt);
    if (tag === null) {
      emitText('<');
      i = lt + 1;
      continue;
    }
    i = tag.end;
    const { name } = tag;

    if (!tag.closing && (DROPPED.has(name) || HIDDEN_STYLE.test(tag.attributes.style ?? ''))) {
      if (!VOID.has(name) && !html.slice(lt, tag.end).endsWith('/>')) i = skipElement(html, name, tag.end);
      continue;
    }

    if (name === 'br') {
      writer.hardBreak();
    } else if (name === 'hr') {
      writer.lineBreak(2);
      writer.text('---');
      writer.lineBreak(2);
    } else if (name === 'img') {
      const alt = (tag.attributes.alt ?? '').replace(INVISIBLE, '').trim();
      if (alt !== '') writer.text(` ${alt} `);
    } else if (name === 'td' || name === 'th') {
      if (!tag.closing) writer.text(' ');
    } else if (name === 'a') {
      if (!tag.closing) {
        links.push({ href: (tag.attributes.href ?? '').trim(), mark: writer.length });
      } else {
        const link = links.pop();
        if (link !== undefined) writeLinkTarget(writer, link.href, writer.since(link.mark));
      }
    } else if (name === 'ul' || name === 'ol') {
      writer.lineBreak(lists.length === 0 ? 2 : 1);
      if (tag.closing) lists.pop();
      else
        lists.push({ ordered: name === 'ol', next: Number.parseInt(tag.attributes.start ?? '1', 10) || 1 });
      writer.indent = '  '.repeat(Math.max(0, lists.length - 1));
    } else if (name === 'li') {
      writer.lineBreak(1);
      const list = lists[lists.length - 1];
      if (!tag.closing) writer.prefix = list?.ordered ? `${list.next++}. ` : '- ';
      else writer.prefix = '';
    } else if (name === 'pre') {
      writer.lineBreak(2);
      pre = Math.max(0, pre + (tag.closing ? -1 : 1));
    } else if (PARAGRAPH.has(name)) {
      writer.lineBreak(2);
    } else if (LINE.has(name)) {
      writer.lineBreak(1);
    }
  }
  return writer.result();
}

/** Appends ` (url)` after a link's text, unless the url says nothing more than the text. */
function writeLinkTarget(writer: TextWriter, href: string, text: string): void {
  if (!/^(?:https?:|mailto:|tel:)/i.test(href)) return;
  const shown = text.trim();
  const bare = href.replace(/^(?:mailto:|tel:)/i, '');
  if (shown === href || shown === bare || shown === href.replace(/^https?:\/\//i, '').replace(/\/$/, ''))
    return;
  writer.text(shown === '' ? href : ` (${href})`);
}

/**
 * Index just past the element's closing tag (same-name elements nest). Unclosed, a script or style
 * runs to the end of the html, as in a browser; any other element drops just its opening tag.
 */
function skipElement(html: string, name: string, from: number): number {
  const rawText = name === 'script' || name === 'style';
  const pattern = new RegExp(rawText ? `</${name}\\s*>` : `<(/?)${name}(?=[\\s/>])[^>]*>`, 'gi');
  pattern.lastIndex = from;
  let depth = 1;
  for (let match = pattern.exec(html); match !== null; match = pattern.exec(html)) {
    if (rawText) return pattern.lastIndex;
    if (match[0].endsWith('/>') && match[1] !== '/') continue;
    depth += match[1] === '/' ? -1 : 1;
    if (depth === 0) return pattern.lastIndex;
  }
  return rawText ? html.length : from;
}
