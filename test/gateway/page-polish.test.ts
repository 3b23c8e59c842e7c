import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describeIfChromium, logIn, openAdminPage, type AdminPage } from './support/chromium.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
const PHONE = { width: 390, height: 844 };

/** Issue #13, gateway item 9: the page's existing views, in real Chromium, at desktop and phone widths. */
describeIfChromium('admin page polish in headless Chromium', () => {
  let t: TestGateway;
  let browser: AdminPage;
  let page: Page;
  let shots: string;
  const shot = async (name: string) => {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(shots, `${name}.png`), png);
    if (process.env.WXNOTIFY_KEEP_SCREENSHOTS) {
      mkdirSync(process.env.WXNOTIFY_KEEP_SCREENSHOTS, { recursive: true });
      writeFileSync(join(process.env.WXNOTIFY_KEEP_SCREENSHOTS, `${name}.png`), png);
    }
  };
  const row = () => page.locator('#codes-table tbody tr').first();

  beforeAll(async () => {
    t = await startTestGateway();
    shots = mkdtempSync(join(tmpdir(), 'wxnotify-shots-'));
    // The wrong-secret step makes the browser log its 400 on purpose.
    browser = await openAdminPage({ ignoreConsole: /40\d|Unauthorized|Bad Request/ });
    page = browser.page;
    await logIn(page, t.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(shots, { recursive: true, force: true });
  });

  it("labels follow WeCom's console (企业ID / Secret / AgentId) and say where to find each", async () => {
    const labels = await page.locator('#app-form label > span').allTextContents();
    expect(labels).toEqual(['企业ID', 'Secret', 'AgentId']);
    expect(await page.textContent('#app-form')).toContain('我的企业 → 企业信息 → 企业ID');
  });

  it('an upstream error shows the Chinese hint first, and is gone once the step succeeds', async () => {
    await page.fill('#corp-id', t.wecom.corpId);
    await page.fill('#corp-secret', 'wrong-secret-value-000');
    await page.fill('#agent-id', String(t.wecom.agentId));
    await page.click('#verify');
    await page.waitForFunction(() => document.getElementById('verify-error')!.textContent !== '');
    expect(await page.textContent('#verify-error')).toMatch(/^Secret 不正确/);
    await shot('verify-error-zh');
    await page.fill('#corp-secret', t.wecom.corpSecret);
    await page.click('#verify');
    await page.waitForSelector('#members input[value=lisi]');
    expect(await page.textContent('#verify-error')).toBe('');
  });

  it('the Codes table names departments, and all three examples send the same message', async () => {
    const department = (await page.locator('#departments label', { has: page.locator('input[value="3"]') }).textContent())!.replace('🏢 ', '');
    await page.check('#members input[value=lisi]');
    await page.check('#departments input[value="3"]');
    await page.fill('#config-name', '生产环境服务器告警通知（运维值班组）');
    await page.click('#generate');
    await page.waitForSelector('#result-card:not(.hidden)');
    await row().waitFor();
    expect(await row().locator('td').nth(3).textContent()).toBe(`lisi | 🏢 ${department}`);
    const examples = await Promise.all(['curl', 'python', 'node'].map((kind) => page.textContent(`#example-${kind}`)));
    for (const example of examples) {
      expect(example).toContain('服务器告警');
      expect(example).toContain('CPU使用率超过90%，请及时处理！');
    }
    await page.reload();
    await row().waitFor();
    expect(await row().locator('td').nth(3).textContent()).toContain(department);
  });

  it('the send count follows a test send at once', async () => {
    const sends = async () => Number(await row().locator('td').nth(4).textContent());
    const before = await sends();
    await row().locator('button', { hasText: '测试' }).click();
    await page.waitForFunction(() => document.getElementById('codes-status')!.textContent === '测试消息已发送。');
    await page.waitForFunction((n) => Number(document.querySelector('#codes-table tbody tr td:nth-child(5)')!.textContent) === n, before + 1, { timeout: 3000 });
    expect(await sends()).toBe(before + 1);
  });

  it('the language switch reaches the Codes table, its statuses and buttons, and messages already shown', async () => {
    await page.click('#lang-toggle');
    expect(await row().locator('td').nth(5).textContent()).toBe('active');
    expect(await row().locator('button').allTextContents()).toEqual(['Test', 'Rotate', 'Revoke']);
    expect(await page.textContent('#codes-status')).toBe('Test message sent.');
    expect(await page.textContent('#codes-table thead')).toContain('Recipients');
    expect(await page.locator('#app-form label > span').first().textContent()).toBe('Corp ID (企业ID)');
    await shot('codes-en');
    await page.click('#lang-toggle');
    expect(await row().locator('button').allTextContents()).toEqual(['测试', '轮换', '吊销']);
    expect(await page.textContent('#codes-status')).toBe('测试消息已发送。');
  });

  it('at phone width names keep their words and every button is on screen', async () => {
    await page.setViewportSize(PHONE);
    await page.reload();
    await row().waitFor();
    const name = (await row().locator('td.name').boundingBox())!;
    expect(name.width).toBeGreaterThan(150);
    expect(name.height).toBeLessThan(80);
    for (const button of await row().locator('button').all()) {
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(PHONE.width);
    await shot('codes-phone');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('form-phone');
  });

  it('had no script errors', () => {
    expect(browser.problems).toEqual([]);
  });
});
