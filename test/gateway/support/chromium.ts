import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { TEST_ADMIN_PASSWORD } from './test-gateway.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Page suites run where Debian's chromium is installed (.ci/run installs it). */
export const describeIfChromium = existsSync(CHROMIUM) ? describe : describe.skip;

export interface AdminPage {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors (other than expected HTTP refusals) seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Headless Chromium on a fresh profile, dialogs accepted; `ignoreConsole` matches console errors that a test causes on purpose. */
export async function openAdminPage(options: { ignoreConsole?: RegExp } = {}): Promise<AdminPage> {
  const profile = mkdtempSync(join(tmpdir(), 'wxnotify-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const ignore = options.ignoreConsole ?? /401|Unauthorized/;
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !ignore.test(m.text()) && problems.push(`console: ${m.text()}`));
  page.on('dialog', (d) => void d.accept());
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in on the page with the test admin password. */
export async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.fill('#login-password', TEST_ADMIN_PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app-view:not(.hidden)');
}
