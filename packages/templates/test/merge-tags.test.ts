// Broadcast merge tags: Resend's contact and legacy forms, fallbacks (the tag's, then the declared
// property's), HTML escaping only for {{…}} in html, line breaks kept out of the subject, and a clear
// error for a tag that names nothing.
import { describe, expect, it } from 'vitest';
import { hasUnsubscribeTag, mergeTags, renderMergeTags, TemplateError } from '../src/index';

const context = {
  contact: {
    email: 'ada@example.com',
    first_name: 'Ada <3',
    last_name: null,
    properties: { plan: 'pro', seats: 3, city: null },
  },
  fallbacks: { city: 'your city', plan: 'free' },
  unsubscribeUrl: 'https://t.example/u/tok',
};

describe('merge tags', () => {
  it('fills contact values, legacy names and the unsubscribe link', () => {
    const html =
      '<p>{{{contact.first_name|there}}} {{contact.first_name}} {{{LAST_NAME|Doe}}} {{{EMAIL}}} {{{contact.seats}}}</p><a href="{{{RESEND_UNSUBSCRIBE_URL}}}">x</a>';
    expect(renderMergeTags(html, 'html', context)).toBe(
      '<p>Ada <3 Ada &lt;3 Doe ada@example.com 3</p><a href="https://t.example/u/tok">x</a>',
    );
  });

  it("uses the tag's fallback, then the property's declared one, then nothing", () => {
    expect(
      renderMergeTags('{{{contact.city|home}}}|{{{contact.city}}}|{{{contact.unknown}}}', 'text', context),
    ).toBe('home|your city|');
  });

  it('never puts a line break into the subject', () => {
    const multiline = { ...context, contact: { ...context.contact, first_name: 'Ada\r\nBcc: x@y' } };
    expect(renderMergeTags('Hi {{{contact.first_name}}}', 'subject', multiline)).toBe('Hi Ada Bcc: x@y');
  });

  it('names a tag it does not know', () => {
    expect(() => mergeTags('Hi {{{contact.first name}}}', 'subject')).toThrow(TemplateError);
    expect(() => mergeTags('{{{ORDER_ID}}}', 'html')).toThrow(/ORDER_ID.*is not a merge tag/);
    expect(mergeTags('{{{contact.plan|basic}}} {{{FIRST_NAME}}}', 'html')).toEqual([
      { key: 'plan', fallback: 'basic' },
      { key: 'first_name', fallback: null },
    ]);
  });

  it('finds the unsubscribe link in either spelling', () => {
    expect(hasUnsubscribeTag('<a href="{{{RESEND_UNSUBSCRIBE_URL}}}">')).toBe(true);
    expect(hasUnsubscribeTag('{{UNSUBSCRIBE_URL}}')).toBe(true);
    expect(hasUnsubscribeTag('<p>none</p>')).toBe(false);
  });
});
