// The API reference page (GET /docs) in a real browser (Debian's chromium, headless, JavaScript on:
// Scalar renders the page): it shows the operations of the running gateway's OpenAPI document, and
// nothing it loads leaves this machine, nor breaks its Content-Security-Policy. Screenshots land in
// tests/mesh/.artifacts/ (gitignored).
import { describe, expect, it } from 'vitest';
import { artifacts, useChromium } from './browser';
import { mesh } from './client';

const chromium = useChromium();

/** Where a request went: loopback, or a URL that loads nothing from anywhere (data:, blob:). */
function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

describe('the API reference page in a browser', () => {
  it('renders the operations from /openapi.json, loading nothing from outside', async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    // Violations the console may not show (a blocked style, font or image), straight from the page.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { cspViolations: string[] }).cspViolations ??= [];
        (window as unknown as { cspViolations: string[] }).cspViolations.push(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });

    const response = await page.goto(`${mesh.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");

    // The first operation of the emails tag, by its summary and its operation id.
    await page.getByText('Send an email').first().waitFor({ state: 'visible', timeout: 45_000 });
    await page.getByText('emails/send', { exact: true }).first().waitFor({ state: 'visible' });
    expect(await page.title()).toMatch(/Mailgrid/);
    await page.screenshot({ path: `${artifacts}docs.png` });

    // Another resource's operations, through the sidebar.
    await page.getByText('domains', { exact: true }).first().click();
    await page.getByText('Add a sending domain').first().waitFor({ state: 'visible' });

    // The one violation allowed: the bundle's zod probes for eval (`Function('')` in a try) and,
    // refused, validates without it.
    const violations = (
      await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])
    ).filter((violation) => violation !== 'script-src eval');
    expect([...problems, ...violations]).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    expect(requests).toContain(`${mesh.url}/openapi.json`);
    expect(requests).toContain(`${mesh.url}/docs/scalar.js`);
    await context.close();
  }, 90_000);
});
