import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '../src/index';

describe('htmlToText', () => {
  it('turns a realistic email into readable text', () => {
    const html = readFileSync(new URL('./fixtures/welcome.html', import.meta.url), 'utf8');
    expect(htmlToText(html)).toBe(
      [
        'Acme (https://acme.example.com)',
        '',
        'Welcome, Zoë!',
        '',
        'Thanks for signing up. Your account is ready — here’s what you can do next:',
        '',
        '- Verify your domain',
        '- Create an API key (https://acme.example.com/keys?tab=api&new=1)',
        '- Send your first email 🚀',
        '',
        'Questions? Write to help@acme.example.com.',
        'We reply within a day.',
        '© 2025 Acme & Co. <Berlin>',
        '',
        '1. First',
        '2. Second',
        '  - Nested',
        '',
        'Get started (https://acme.example.com/start)',
        '',
        'Unsubscribe (https://acme.example.com/unsubscribe?u=42) | Preferences (https://acme.example.com/prefs)',
      ].join('\n'),
    );
  });

  it('puts paragraphs apart and <br> on a new line', () => {
    expect(htmlToText('<p>One</p><p>Two<br>Three<br/><br />Four</p>Five')).toBe(
      'One\n\nTwo\nThree\n\nFour\n\nFive',
    );
    expect(htmlToText('<div>a</div><div>b</div>')).toBe('a\nb');
  });

  it('collapses whitespace like a browser', () => {
    expect(htmlToText('  <p>\n  Hello,\n\t  world  </p>  ')).toBe('Hello, world');
    expect(htmlToText('<b>bold</b><i>italic</i> <span>span</span>')).toBe('bolditalic span');
  });

  it('writes links as text (url), once when text and url agree', () => {
    expect(htmlToText('<a href="https://x.example/a">Read</a>')).toBe('Read (https://x.example/a)');
    expect(htmlToText('<a href="https://x.example/a">https://x.example/a</a>')).toBe('https://x.example/a');
    expect(htmlToText('<a href="https://x.example/">x.example</a>')).toBe('x.example');
    expect(htmlToText('<a href="mailto:a@b.example">a@b.example</a>')).toBe('a@b.example');
    expect(htmlToText('<a href="mailto:a@b.example">Mail us</a>')).toBe('Mail us (mailto:a@b.example)');
    expect(htmlToText('<a href="https://x.example/i"><img src="i.png" alt=""></a>')).toBe(
      'https://x.example/i',
    );
    expect(htmlToText('<a href="#top">Top</a> <a href="javascript:void(0)">JS</a>')).toBe('Top JS');
    expect(htmlToText("<a href='https://x.example/?a=1&amp;b=2'>q</a>")).toBe(
      'q (https://x.example/?a=1&b=2)',
    );
  });

  it('writes list items with markers, numbering ordered lists from start', () => {
    expect(htmlToText('<p>Intro</p><ul><li>a</li><li>b</li></ul><p>Outro</p>')).toBe(
      'Intro\n\n- a\n- b\n\nOutro',
    );
    expect(htmlToText('<ol start="3"><li>c</li><li>d</li></ol>')).toBe('3. c\n4. d');
  });

  it('drops head, title, script, style, comments and hidden elements', () => {
    const html = [
      '<html><head><title>T</title><style>.a{color:red}</style></head><body>',
      '<!-- a comment <p>with a tag</p> -->',
      '<script type="text/javascript">var s = "</div>";</script>',
      '<div style="display: none"><div>hidden <b>nested</b></div> still hidden</div>',
      '<span style="color:red;display:none !important">preheader</span>',
      '<p>Shown</p>',
      '<STYLE>p{}</STYLE><Script>x()</sCrIpT>',
      '</body></html>',
    ].join('');
    expect(htmlToText(html)).toBe('Shown');
  });

  it('loses no text to an unclosed hidden element: only its tag is dropped', () => {
    expect(htmlToText('<div style="display:none">preheader<p>Body</p>')).toBe('preheader\n\nBody');
    expect(htmlToText('<p>a</p><span style="display:none">b')).toBe('a\n\nb');
  });

  it('keeps preformatted text as written', () => {
    expect(htmlToText('<p>Code:</p><pre>line 1\n  indented\nline 3</pre><p>after</p>')).toBe(
      'Code:\n\nline 1\n  indented\nline 3\n\nafter',
    );
  });

  it('separates table cells and rows', () => {
    expect(
      htmlToText('<table><tr><td>Item</td><td>Price</td></tr><tr><td>Tea</td><td>€3</td></tr></table>'),
    ).toBe('Item Price\nTea €3');
  });

  it('reads text that only looks like a tag as text', () => {
    expect(htmlToText('1 < 2 and 3 <> 4, a <= b')).toBe('1 < 2 and 3 <> 4, a <= b');
  });

  it('uses image alt text and a rule for <hr>', () => {
    expect(htmlToText('<p>Above</p><hr><img src="x.png" alt="Chart">')).toBe('Above\n\n---\n\nChart');
  });

  it('returns empty text for html without text', () => {
    expect(htmlToText('<html><head><title>x</title></head><body><img src="a.png"></body></html>')).toBe('');
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references', () => {
    expect(
      decodeEntities('&amp; &lt; &gt; &quot; &apos; &#39; &#x27; &copy; &euro; &hellip; &#8364; &#x1F44B;'),
    ).toBe("& < > \" ' ' ' © € … € 👋");
  });

  it('decodes once, and leaves unknown or broken references alone', () => {
    expect(decodeEntities('&amp;lt; &unknown; AT&T & &#xD800; &#0;')).toBe(
      '&lt; &unknown; AT&T & \ufffd \ufffd',
    );
  });
});
