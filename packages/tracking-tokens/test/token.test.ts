import { describe, expect, it } from 'vitest';
import { parseSigningKeys, signToken, type TrackingClaims, verifyToken } from '../src/index';

const secretA = 'a'.repeat(40);
const secretB = 'b'.repeat(40);
const keysA = parseSigningKeys(JSON.stringify({ k1: secretA }), 'k1');
const now = Date.parse('2026-11-23T12:00:00Z');
const click: TrackingClaims = {
  action: 'click',
  tenant_id: 't-1',
  email_id: 'e-1',
  recipient: 'ada@example.com',
  url: 'https://example.com/pricing?plan=pro#top',
  expires_at: now / 1000 + 3600,
  issued_at: now / 1000 - 60,
};

describe('tracking tokens', () => {
  it('verify to the claims they were signed with', async () => {
    const token = await signToken(keysA, click);
    expect(token.startsWith('k1.')).toBe(true);
    expect(await verifyToken(keysA, token, now)).toEqual(click);
  });

  it('keep verifying after a rotation, while new tokens use the new key', async () => {
    const old = await signToken(keysA, click);
    const rotated = parseSigningKeys(JSON.stringify({ k1: secretA, k2: secretB }), 'k2');
    const fresh = await signToken(rotated, click);
    expect(fresh.startsWith('k2.')).toBe(true);
    expect(await verifyToken(rotated, old, now)).toEqual(click);
    expect(await verifyToken(rotated, fresh, now)).toEqual(click);
    // A verifier that dropped k1 refuses the old email's tokens.
    const dropped = parseSigningKeys(JSON.stringify({ k2: secretB }), 'k2');
    expect(await verifyToken(dropped, old, now)).toBeNull();
  });

  it('refuse tampered, truncated, re-signed and expired tokens', async () => {
    const token = await signToken(keysA, click);
    const [kid, payload, signature] = token.split('.') as [string, string, string];
    const otherUrl = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), u: 'https://evil.test' }),
    ).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('A') ? 'B' : 'A'}${signature.at(-1)}`;
    const otherKey = parseSigningKeys(JSON.stringify({ k1: secretB }), 'k1');
    const candidates = [
      `${kid}.${otherUrl}.${signature}`,
      `${kid}.${payload}.${flipped}`,
      token.slice(0, -5),
      `${kid}.${payload}`,
      `k9.${payload}.${signature}`,
      await signToken(otherKey, click),
      '',
      '...',
      `${token}.x`,
    ];
    for (const candidate of candidates) expect(await verifyToken(keysA, candidate, now)).toBeNull();
    expect(await verifyToken(keysA, token, (click.expires_at + 1) * 1000)).toBeNull();
  });

  it('never yield a click without an http(s) URL', async () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'not a url']) {
      expect(await verifyToken(keysA, await signToken(keysA, { ...click, url }), now)).toBeNull();
    }
    const open = await signToken(keysA, { ...click, action: 'open', url: undefined });
    expect((await verifyToken(keysA, open, now))?.action).toBe('open');
  });

  it('refuse weak or missing key configuration', () => {
    expect(() => parseSigningKeys('{"k1":"short"}', 'k1')).toThrow(/at least 32/);
    expect(() => parseSigningKeys(JSON.stringify({ k1: secretA }), 'k2')).toThrow(/not a key/);
    expect(() => parseSigningKeys('nope', 'k1')).toThrow(/JSON/);
  });
});
