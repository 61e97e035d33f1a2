// The hosted preference page in a real browser (Debian's chromium, headless, JavaScript off: the page
// must work without it): a recipient opens their unsubscribe link, changes topics, saves, then
// unsubscribes; the API shows each change. Screenshots land in tests/mesh/.artifacts/ (gitignored).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useChromium } from './browser';
import { mesh } from './client';
import { contactOf, createContact, createTopic, topicsOf, unsubscribeUrl } from './preferences';

const { prefs } = mesh;
const key = prefs.full.token;
const chromium = useChromium();

async function openPage(url: string, viewport: { width: number; height: number }, mobile = false) {
  const context = await chromium.browser.newContext({
    viewport,
    javaScriptEnabled: false,
    ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return page;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('the preference page in a browser', () => {
  it('shows the topics and their state, and saves changed choices', async () => {
    const updates = await createTopic(key, {
      name: 'Product updates',
      description: 'New features and fixes, once a month.',
      default_subscription: 'opt_in',
    });
    const events = await createTopic(key, {
      name: 'Events & webinars',
      description: 'Invitations to live sessions near you.',
      default_subscription: 'opt_out',
    });
    const email = 'ada.lovelace@example.com';
    const contactId = await createContact(key, email);
    const url = await unsubscribeUrl({
      tenantId: prefs.tenantId,
      emailId: crypto.randomUUID(),
      recipient: email,
      topicId: updates,
    });

    const page = await openPage(url, { width: 1024, height: 900 });
    expect(await heading(page)).toBe('Email preferences');
    expect(await page.getByText(email).isVisible()).toBe(true);
    const updatesBox = page.getByRole('checkbox', { name: /Product updates/ });
    const eventsBox = page.getByRole('checkbox', { name: /Events & webinars/ });
    expect(await updatesBox.isChecked()).toBe(true);
    expect(await eventsBox.isChecked()).toBe(false);
    expect(await page.getByRole('group', { name: 'Topics' }).isVisible()).toBe(true);
    await page.screenshot({ path: `${artifacts}preferences.png`, fullPage: true });

    await updatesBox.uncheck();
    await eventsBox.check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.waitForLoadState();
    expect(await heading(page)).toBe('Your preferences are saved');
    expect(await page.getByRole('status').textContent()).toContain('saved');
    expect(await page.getByRole('checkbox', { name: /Product updates/ }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: /Events & webinars/ }).isChecked()).toBe(true);
    expect(await topicsOf(key, contactId)).toMatchObject({ [updates]: 'opt_out', [events]: 'opt_in' });
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);
    await page.screenshot({ path: `${artifacts}preferences-saved.png`, fullPage: true });

    // Opted out of the email's topic already: the page offers to subscribe again, not to unsubscribe.
    expect(await page.getByRole('button', { name: 'Subscribe to Product updates again' }).isVisible()).toBe(
      true,
    );
    await page.context().close();
  });

  it('unsubscribes from everything with the confirm button, and reads on a phone', async () => {
    await createTopic(key, { name: 'Tips', default_subscription: 'opt_in' });
    const email = 'grace.hopper@example.com';
    const contactId = await createContact(key, email);
    const url = await unsubscribeUrl({
      tenantId: prefs.tenantId,
      emailId: crypto.randomUUID(),
      recipient: email,
    });

    const page = await openPage(url, { width: 390, height: 844 }, true);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${artifacts}preferences-phone.png`, fullPage: true });
    expect((await contactOf(key, contactId)).unsubscribed).toBe(false);

    // By keyboard: the first Tab reaches the confirm button, with a visible focus ring; Enter presses it.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const active = document.activeElement as HTMLElement;
      return { text: active.textContent, outline: getComputedStyle(active).outlineWidth };
    });
    expect(focused).toEqual({ text: 'Unsubscribe', outline: '3px' });
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await heading(page)).toBe('You are unsubscribed');
    expect((await contactOf(key, contactId)).unsubscribed).toBe(true);
    await page.screenshot({ path: `${artifacts}preferences-phone-unsubscribed.png`, fullPage: true });
    await page.context().close();
  });
});
