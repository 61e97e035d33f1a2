import { describe, expect, it } from 'vitest';
import { detectMachine, type RequestSignals, SCANNER_WINDOW_SECONDS } from '../src/machine';

const NOW = 1_800_000_000_000;
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const OUTLOOK = 'Mozilla/4.0 (compatible; ms-office; MSOffice 16) Microsoft Outlook 16.0';

const signals = (overrides: Partial<RequestSignals>): RequestSignals => ({
  method: 'GET',
  userAgent: CHROME,
  action: 'open',
  nowMs: NOW,
  ...overrides,
});

describe('detectMachine', () => {
  it('takes a browser or desktop Outlook for a person', () => {
    expect(detectMachine(signals({}))).toBeNull();
    expect(detectMachine(signals({ userAgent: OUTLOOK }))).toBeNull();
  });

  it('marks HEAD requests', () => {
    expect(detectMachine(signals({ method: 'HEAD' }))).toBe('head');
  });

  it.each([
    ['Apple ASN 714', { asn: 714 }],
    ['Apple ASN 6185', { asn: 6185 }],
    ['an address in 17.0.0.0/8', { ip: '17.58.63.1' }],
    ['an Apple IPv6 address', { ip: '2620:149:a:1::1' }],
  ])('marks a bare Mozilla/5.0 from %s as Apple Mail Privacy Protection', (_name, extra) => {
    expect(detectMachine(signals({ userAgent: 'Mozilla/5.0', ...extra }))).toBe('apple_mpp');
  });

  it('does not take a bare Mozilla/5.0 elsewhere, or 170.x, for Apple', () => {
    expect(detectMachine(signals({ userAgent: 'Mozilla/5.0', ip: '170.1.2.3', asn: 3320 }))).toBeNull();
    expect(detectMachine(signals({ ip: '17.58.63.1' }))).toBeNull();
  });

  it.each([
    'Mozilla/5.0 (compatible; Barracuda Sentinel (EE))',
    'Mimecast-URL-Protect/1.0',
    'Proofpoint URL Defense',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b',
    'python-requests/2.31.0',
    'curl/8.5.0',
    'Go-http-client/2.0',
    'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36',
    'Googlebot/2.1 (+http://www.google.com/bot.html)',
    'SomeCrawler/3',
    'acme link scanner',
    '',
  ])('marks %j as a bot', (agent) => {
    expect(detectMachine(signals({ userAgent: agent }))).toBe('bot');
  });

  it(`marks a click within ${SCANNER_WINDOW_SECONDS} s of the send as a scanner, not an open`, () => {
    const sentAt = NOW / 1000 - (SCANNER_WINDOW_SECONDS - 1);
    expect(detectMachine(signals({ action: 'click', issuedAt: sentAt }))).toBe('scanner');
    expect(detectMachine(signals({ action: 'open', issuedAt: sentAt }))).toBeNull();
    expect(
      detectMachine(signals({ action: 'click', issuedAt: NOW / 1000 - SCANNER_WINDOW_SECONDS })),
    ).toBeNull();
    expect(detectMachine(signals({ action: 'click' }))).toBeNull();
  });
});
