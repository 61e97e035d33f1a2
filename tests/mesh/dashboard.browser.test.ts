// The dashboard in a real browser (Debian's chromium, headless) against the whole stack: signing in
// with a one-time link (the one `npm start` prints), an email sent by API found in the log with its
// preview and events, a domain added with its DNS records, a broadcast written, tested and sent to a
// segment, a CSV imported with its error report, a template edited and published, a webhook added and
// its secret rotated, every page in the navigation rendering without a console error (wide and
// narrow), and a viewer who sees everything and no button that changes anything.
// Screenshots of the main pages: `UPDATE_SCREENSHOTS=1` writes them to docs/dashboard/ (linked from the README).
import { mkdirSync } from 'node:fs';
import { dashboardLink } from '@mailgrid/stack';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromium } from './browser';
import { api, mesh } from './client';

const chromium = useChromium();
const { dashboard } = mesh;
/**
 * Where the screenshots go: the stack's log folder on every run (to look at after a failure), and
 * docs/dashboard only when asked (`UPDATE_SCREENSHOTS=1`), so a test run never changes tracked files.
 */
const docs = new URL(
  process.env.UPDATE_SCREENSHOTS ? '../../docs/dashboard/' : './.logs/dashboard/',
  import.meta.url,
).pathname;
mkdirSync(docs, { recursive: true });
/** The navigation's pages, each by the heading it shows. */
const PAGES = [
  ['/', 'Overview'],
  ['/emails', 'Emails'],
  ['/broadcasts', 'Broadcasts'],
  ['/contacts', 'Contacts'],
  ['/segments', 'Segments'],
  ['/topics', 'Topics'],
  ['/contact-properties', 'Contact properties'],
  ['/imports', 'CSV imports'],
  ['/templates', 'Templates'],
  ['/domains', 'Domains'],
  ['/api-keys', 'API keys'],
  ['/webhooks', 'Webhooks'],
  ['/suppressions', 'Suppressions'],
  ['/streams', 'Streams'],
  ['/team', 'Team'],
  ['/audit-log', 'Audit log'],
] as const;

/** A signed-in browser context for `email`, and every console error or page error it sees. */
async function signIn(email: string, viewport = { width: 1200, height: 800 }) {
  const context = await chromium.browser.newContext({ viewport });
  const errors: string[] = [];
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The email preview's sandbox doing its job: the test email's <script> is refused, and said so.
    if (message.location().url === 'about:srcdoc' && /Blocked script execution/.test(message.text())) return;
    errors.push(`${message.location().url}: ${message.text()}`);
  });
  context.on('weberror', (error) => errors.push(error.error().message));
  const page = await context.newPage();
  // The "are you sure?" of sending, canceling, deleting: yes.
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(dashboardLink(mesh.url, mesh.auth.jwtSecret, email));
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: 20_000 });
  return { context, page, errors };
}

async function sessionCookie(context: BrowserContext) {
  const cookies = await context.cookies(mesh.url);
  return cookies.find((cookie) => cookie.name === 'mailgrid_session');
}

/** Reloads until `text` shows (the timeline is read when the page loads). */
async function reloadUntil(page: Page, text: RegExp, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.locator('.timeline').getByText(text).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${text} did not show within ${timeoutMs} ms`);
    await page.waitForTimeout(750);
    await page.reload();
    await page.locator('h2', { hasText: 'Events' }).waitFor();
  }
}

describe('the dashboard', () => {
  it('signs the owner in with a one-time link: an HttpOnly SameSite=Strict cookie, the link spent', async () => {
    const link = dashboardLink(mesh.url, mesh.auth.jwtSecret, dashboard.owner);
    const first = await chromium.browser.newContext();
    const page = await first.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: 20_000 });
    // The token is off the address bar, and in no script's reach.
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookie = await sessionCookie(first);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    await page.getByText(dashboard.owner).waitFor();
    await first.close();

    // The same link again, in another browser: refused, the sign-in page says why.
    const second = await chromium.browser.newContext();
    const again = await second.newPage();
    await again.goto(link);
    await again.getByText(/used already/).waitFor({ timeout: 10_000 });
    expect(await sessionCookie(second)).toBeUndefined();
    await second.close();
  });

  it('finds an email sent by API in the log, with its preview, events and raw download', async () => {
    const subject = `Dashboard check ${crypto.randomUUID().slice(0, 8)}`;
    const sent = await api('/api/emails', {
      method: 'POST',
      key: dashboard.full.token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: 'Dashboard <hello@dashboard.mesh.test>',
        to: 'reader@example.com',
        subject,
        html: '<h1>Hello from the log</h1><p>Sent by the dashboard test.</p><script>parent.pwned = true</script>',
        text: 'Hello from the log',
        tags: [{ name: 'kind', value: 'check' }],
      }),
    });
    expect(sent.status).toBe(200);
    const { id } = (await sent.json()) as { id: string };

    const { context, page, errors } = await signIn(dashboard.owner);
    await page.goto(`${mesh.url}/emails?q=${encodeURIComponent(subject)}`);
    const row = page.getByRole('link', { name: subject });
    await row.waitFor();
    // The filter is in the URL: a filtered log is a link; a filter that matches nothing says so.
    await page.goto(`${mesh.url}/emails?q=${encodeURIComponent(subject)}&tag=kind:other`);
    await page.getByText('No email matches these filters').waitFor();
    await page.goto(`${mesh.url}/emails?q=${encodeURIComponent(subject)}&tag=kind:check`);
    await page.getByRole('link', { name: subject }).click();
    await page.waitForURL(`${mesh.url}/emails/${id}`);
    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();

    // The html in a sandboxed frame: shown, its script never run.
    const frame = page.locator('iframe[sandbox=""]');
    expect(await frame.count()).toBe(1);
    await page.frameLocator('iframe[sandbox=""]').getByText('Hello from the log').waitFor();
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    await page.getByRole('tab', { name: 'TEXT' }).click();
    await page.locator('pre.text-body', { hasText: 'Hello from the log' }).waitFor();

    await reloadUntil(page, /^delivered$/);
    await page.locator('pre.headers', { hasText: /^Subject: /m }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download EML' }).click();
    expect((await download).suggestedFilename()).toBe(`${id}.eml`);
    await page.screenshot({ path: `${docs}email.png` });
    // The log's filters are the API's: by last event and sending domain, a whole day, and a search.
    const today = new Date().toISOString().slice(0, 10);
    const q = encodeURIComponent(subject);
    await page.goto(
      `${mesh.url}/emails?q=${q}&status=delivered&domain=dashboard.mesh.test&from=${today}&to=${today}`,
    );
    await page.getByRole('link', { name: subject }).waitFor();
    await page.goto(`${mesh.url}/emails?q=${q}&status=bounced`);
    await page.getByText('No email matches these filters').waitFor();

    await page.goto(`${mesh.url}/emails`);
    await page.getByRole('link', { name: subject }).waitFor();
    await page.screenshot({ path: `${docs}emails.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a domain and shows its DNS records, each with its status, and verifies it', async () => {
    const { context, page, errors } = await signIn(dashboard.owner);
    const name = `mail-${crypto.randomUUID().slice(0, 6)}.example.org`;
    await page.goto(`${mesh.url}/domains`);
    await page.getByLabel('Add a domain').fill(name);
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/domains\/[0-9a-f-]{36}$/);
    const records = page.locator('table.records tbody tr');
    await records.first().waitFor();
    const kinds = await records.locator('td:first-child').allTextContents();
    expect(kinds).toEqual(expect.arrayContaining(['SPF', 'DKIM']));
    expect(await records.locator('.badge').count()).toBe(await records.count());
    await page.getByRole('button', { name: 'Verify DNS records' }).click();
    await page.getByText(/Last checked/).waitFor();
    await page.locator('dd', { hasText: /never/ }).waitFor({ state: 'detached' });
    await page.screenshot({ path: `${docs}domain.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('writes a broadcast with a merge tag, test-sends it, sends it to a segment and watches it reach sent', {
    timeout: 120_000,
  }, async () => {
    // The audience, by API: a segment of three contacts.
    const key = dashboard.full.token;
    const post = (path: string, body: unknown) =>
      api(path, {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const tag = crypto.randomUUID().slice(0, 6);
    const segmentName = `Readers ${tag}`;
    const created = await post('/api/segments', { name: segmentName });
    expect(created.status).toBe(201);
    const segment = ((await created.json()) as { id: string }).id;
    const people = ['ada', 'grace', 'linus'].map((name) => `${name}-${tag}@example.com`);
    for (const email of people) {
      expect((await post('/api/contacts', { email, segments: [{ id: segment }] })).status).toBe(201);
    }

    const { context, page, errors } = await signIn(dashboard.owner);
    await page.goto(`${mesh.url}/broadcasts`);
    await page.getByRole('link', { name: 'New broadcast' }).click();
    await page.getByRole('heading', { name: 'New broadcast', level: 1 }).waitFor();
    const name = `Launch ${tag}`;
    await page.locator('input[name=name]').fill(name);
    await page.locator('input[name=from]').fill('News <news@dashboard.mesh.test>');
    await page.locator('input[name=subject]').fill(`News for you ${tag}`);
    await page.locator('input[name=preview_text]').fill('What is new this month');
    await page.locator('select[name=segment_id]').selectOption({ label: segmentName });
    // The merge-tag picker puts the tag where the cursor is.
    const html = page.locator('textarea[name=html]');
    await html.fill('<p>Hi !</p><p><a href="{{{RESEND_UNSUBSCRIBE_URL}}}">Leave</a></p>');
    await html.evaluate((area: HTMLTextAreaElement) => area.setSelectionRange(6, 6));
    await page.getByLabel('Fallback').fill('friend');
    await page.getByRole('button', { name: 'Insert {{{FIRST_NAME|friend}}}' }).click();
    expect(await html.inputValue()).toContain('<p>Hi {{{FIRST_NAME|friend}}}!</p>');
    await page.frameLocator('iframe[title="Broadcast preview"]').getByText('Leave').waitFor();
    await page.screenshot({ path: `${docs}broadcast-editor.png` });
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/broadcasts\/[0-9a-f-]{36}$/);
    await page.locator('dl.facts .badge', { hasText: /^draft$/ }).waitFor();

    // A test send: one email to the tester, linked to its page.
    await page.getByLabel(/Send the saved version to/).fill('tester@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByRole('status').getByRole('link', { name: 'tester@example.com' }).waitFor();

    // Send now, then the page follows the progress until every recipient is sent.
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.locator('dl.facts .badge', { hasText: /^sent$/ }).waitFor({ timeout: 60_000 });
    await page.getByText(/^100% — 3 sent, 0 failed/).waitFor();
    const recipients = page.locator('table.recipients tbody tr');
    await recipients.nth(2).waitFor();
    expect((await recipients.locator('td:first-child').allTextContents()).sort()).toEqual([...people].sort());
    // Recipients by outcome: none bounced.
    await page.getByLabel('Outcome').selectOption('bounced');
    await page.getByText('No recipient bounced').waitFor();
    await page.getByLabel('Outcome').selectOption('');
    await recipients.nth(2).waitFor();
    await page.screenshot({ path: `${docs}broadcast.png`, fullPage: true });
    // A recipient's page (opened by address) lists the email the broadcast sent them.
    await page.goto(`${mesh.url}/contacts/${people[0]}`);
    await page.getByRole('heading', { name: people[0], level: 1 }).waitFor();
    await page.getByRole('link', { name: `News for you ${tag}` }).waitFor();
    await page.getByRole('link', { name: segmentName }).waitFor();

    // The list, by status in the URL; duplicating makes a new draft.
    await page.goto(`${mesh.url}/broadcasts?status=sent`);
    await page.getByRole('link', { name }).click();
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('heading', { name: `${name} (copy)`, level: 1 }).waitFor();
    await page.locator('dl.facts .badge', { hasText: /^draft$/ }).waitFor();
    await page.goto(`${mesh.url}/broadcasts?status=draft`);
    await page.getByRole('link', { name: `${name} (copy)` }).waitFor();
    expect(await page.getByRole('link', { name, exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('imports a CSV in the browser, follows its progress to completed, and shows the refused row', {
    timeout: 90_000,
  }, async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    const csv = `email,first_name\nann-${tag}@example.com,Ann\nnot-an-address,Bad\nbob-${tag}@example.com,Bob\n`;
    const { context, page, errors } = await signIn(dashboard.owner);
    await page.goto(`${mesh.url}/imports`);
    await page.getByLabel('CSV file').setInputFiles({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'CSV import', level: 1, exact: true }).waitFor();
    expect(page.url()).toMatch(/\/imports\/[0-9a-f-]{36}$/);
    await page.locator('dl.facts .badge', { hasText: /^completed$/ }).waitFor({ timeout: 60_000 });
    await page.getByText(/: 2 created, .* 1 failed\./).waitFor();
    expect(await page.locator('progress.bar').getAttribute('value')).toBe('100');
    const refused = page.locator('table.import-errors tbody tr');
    await refused.first().waitFor();
    expect(await refused.count()).toBe(1);
    expect(await refused.first().textContent()).toMatch(/not-an-address.*invalid email/);
    await page.screenshot({ path: `${docs}import.png` });

    // The imported contacts are searchable, each with its own page.
    await page.goto(`${mesh.url}/contacts?q=${tag}`);
    await page.getByRole('link', { name: `ann-${tag}@example.com` }).click();
    await page.getByRole('heading', { name: `ann-${tag}@example.com`, level: 1 }).waitFor();
    await page.getByText('Ann', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Segments' }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    await page.screenshot({ path: `${docs}contact.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('edits a template with a preview of its variables and publishes it; adds a webhook and rotates its secret', {
    timeout: 60_000,
  }, async () => {
    const { context, page, errors } = await signIn(dashboard.owner);
    const name = `Receipt ${crypto.randomUUID().slice(0, 6)}`;
    await page.goto(`${mesh.url}/templates`);
    await page.getByLabel("New template's name").fill(name);
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.locator('textarea').first().fill('<h1>Thanks, {{{NAME}}}</h1><p>Total: {{TOTAL}}</p>');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Key').nth(1).fill('TOTAL');
    await page.getByLabel('Fallback').nth(1).fill('0');
    // The preview: a sample value, and the fallback where there is none; `{{…}}` escaped.
    await page.getByLabel('Preview value of TOTAL').fill('<b>12</b>');
    const preview = page.frameLocator('iframe[sandbox=""][title="Template preview"]');
    // What the preview says, not whether chromium has laid it out yet: srcdoc reloads on every keystroke.
    await expect.poll(() => preview.locator('h1').textContent(), { timeout: 30_000 }).toBe('Thanks, there');
    await expect.poll(() => preview.locator('p').textContent(), { timeout: 30_000 }).toBe('Total: <b>12</b>');
    const answer = (method: string) =>
      page.waitForResponse((r) => r.url().includes('/api/templates/') && r.request().method() === method);
    const saved = answer('PATCH');
    await page.getByRole('button', { name: 'Save draft' }).click();
    expect((await saved).status()).toBe(200);
    const published = answer('POST');
    await page.getByRole('button', { name: 'Publish' }).click();
    expect((await published).status()).toBe(200);
    await page.locator('dl.facts .badge', { hasText: /^published$/ }).waitFor();
    // What was saved is what the page shows again.
    expect(await page.locator('textarea').first().inputValue()).toContain('Total: {{TOTAL}}');
    expect(await page.getByLabel('Key').nth(1).inputValue()).toBe('TOTAL');
    await page.screenshot({ path: `${docs}template.png`, fullPage: true });

    await page.goto(`${mesh.url}/webhooks`);
    const endpoint = `https://hooks.example.com/${crypto.randomUUID().slice(0, 6)}`;
    await page.getByLabel('New endpoint (URL)').fill(endpoint);
    await page.getByLabel('email.opened').check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const first = await page.locator('.callout code.token').textContent();
    expect(first).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('.callout').count()).toBe(0);
    await page.getByRole('link', { name: endpoint }).click();
    await page.getByRole('heading', { name: 'Webhook', level: 1 }).waitFor();
    await page.getByText('email.delivered, email.bounced, email.complained, email.opened').waitFor();
    // The secret is not on the page until it is rotated; then the new one, once.
    expect(await page.getByText(first as string).count()).toBe(0);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.locator('.callout code.token').textContent();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(first);
    await page.getByText(/The previous one also signs until/).waitFor();
    await page.screenshot({ path: `${docs}webhook.png` });
    await page.reload();
    await page.getByRole('heading', { name: 'Webhook', level: 1 }).waitFor();
    expect(await page.getByText(rotated as string).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders every page of the navigation with no console error, wide and narrow', {
    timeout: 150_000,
  }, async () => {
    const { context, page, errors } = await signIn(dashboard.owner);
    // First load of the overview with a warm server: the page, its bundle, and the stats drawn.
    const started = Date.now();
    await page.goto(`${mesh.url}/`);
    await page.locator('.chart canvas, .state.empty').first().waitFor();
    console.log(`[dashboard] overview loaded and drawn in ${Date.now() - started} ms`);
    for (const width of [1200, 390]) {
      await page.setViewportSize({ width, height: 800 });
      for (const [path, heading] of PAGES) {
        await page.goto(`${mesh.url}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
        expect(await page.locator('.state.error').count(), `${path} at ${width}px`).toBe(0);
        // Nothing wider than the screen: wide tables and forms scroll inside the page.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
      }
    }
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.goto(`${mesh.url}/broadcasts`);
    await page.locator('table a, .state.empty').first().waitFor();
    await page.screenshot({ path: `${docs}broadcasts.png` });
    await page.goto(`${mesh.url}/contacts`);
    await page.locator('table a, .state.empty').first().waitFor();
    await page.screenshot({ path: `${docs}contacts.png` });
    await page.goto(`${mesh.url}/?days=7`);
    await page.locator('.chart canvas, .state.empty').first().waitFor();
    await page.screenshot({ path: `${docs}overview.png` });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${mesh.url}/emails`);
    await page.getByRole('heading', { name: 'Emails', level: 1 }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    await page.screenshot({ path: `${docs}narrow.png` });
    // Signing out clears the cookie: the next page load asks to sign in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText(/one-time sign-in link/).waitFor();
    expect(await sessionCookie(context)).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a viewer everything and no button that changes anything; the API refuses them too', {
    timeout: 60_000,
  }, async () => {
    const { context, page, errors } = await signIn(dashboard.viewer);
    const changes = new RegExp(
      `^(${[
        'Add domain|Create key|Verify DNS records|Delete|Revoke|Add|Send invitation|Cancel|Reschedule|Remove',
        'Resume sending|Create draft|Save|Send test|Send now|Schedule|Pause|Resume|Duplicate|Insert .*',
        'Add contact|Unsubscribe|Resubscribe|Opt in|Opt out|Create segment|Create topic|Create property|Import',
        'Create template|Save draft|Publish|Add variable|Add webhook|Enable|Disable|Rotate secret|Replay',
      ].join('|')})$`,
    );
    for (const [path, heading] of PAGES) {
      await page.goto(`${mesh.url}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      expect(await page.getByRole('button', { name: changes }).count(), path).toBe(0);
    }
    expect(await page.getByRole('link', { name: 'New broadcast' }).count()).toBe(0);
    await page.goto(`${mesh.url}/domains`);
    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: 'DNS records' }).waitFor();
    expect(await page.getByRole('button', { name: changes }).count()).toBe(0);
    // The detail pages of what the owner's tests made: a broadcast (sent, and a draft copy), a
    // contact, an import, a template (its fields read-only), a webhook.
    for (const [list, what] of [
      ['/broadcasts?status=draft', 'Review and send'],
      ['/broadcasts?status=sent', 'Recipients'],
      ['/contacts', 'Topics'],
      ['/imports', 'Rows not imported'],
      ['/templates', 'Variables'],
      ['/webhooks', 'Events sent'],
    ] as const) {
      await page.goto(`${mesh.url}${list}`);
      await page.locator('table tbody a').first().click();
      await page.locator('h1').waitFor();
      await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      if (what !== 'Review and send') await page.getByRole('heading', { name: what }).waitFor();
      expect(await page.getByRole('button', { name: changes }).count(), list).toBe(0);
      expect(await page.locator('textarea:enabled, .editor input:enabled').count(), list).toBe(0);
    }
    expect(errors).toEqual([]);

    // The cookie works for the API as the browser would send it, and the API refuses the viewer's change.
    const cookie = await sessionCookie(context);
    const headers = { cookie: `mailgrid_session=${cookie?.value}`, origin: mesh.url };
    expect((await api('/api/domains', { headers })).status).toBe(200);
    const refused = await api('/api/domains', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer.example.org' }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { name: string }).name).toBe('insufficient_role');
    // The same cookie from another site is refused before anything else (CSRF).
    const crossSite = await api('/api/domains', {
      method: 'POST',
      headers: { ...headers, origin: 'https://elsewhere.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer.example.org' }),
    });
    expect(((await crossSite.json()) as { name: string }).name).toBe('cross_site_request');
    await context.close();
  });
});
