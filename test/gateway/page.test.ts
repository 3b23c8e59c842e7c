import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describeIfChromium, openAdminPage, type AdminPage } from './support/chromium.js';
import { startTestGateway, TEST_ADMIN_PASSWORD, type TestGateway } from './support/test-gateway.js';

/** Distinct colours in a PNG, counted by the browser itself (no image library needed). */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (dataUrl) => {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 16) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  }, `data:image/png;base64,${png.toString('base64')}`);
}

describeIfChromium('admin page in headless Chromium', () => {
  let t: TestGateway;
  let browser: AdminPage;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  let problems: string[];

  beforeAll(async () => {
    t = await startTestGateway();
    shots = mkdtempSync(join(tmpdir(), 'wxnotify-shots-'));
    browser = await openAdminPage();
    ({ context, page, problems } = browser);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(shots, { recursive: true, force: true });
  });

  it('renders the login form in Chinese first, and the screenshot is not blank', async () => {
    await page.goto(t.url);
    await page.waitForSelector('#login-view:not(.hidden)');
    expect(await page.textContent('h1')).toBe('企业微信通知服务');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    const png = await page.screenshot({ fullPage: true });
    const file = join(shots, 'login.png');
    writeFileSync(file, png);
    expect(statSync(file).size).toBeGreaterThan(8_000);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(await distinctColours(page, png)).toBeGreaterThan(20);
  });

  it('refuses a wrong password, then logs in with an HttpOnly SameSite=Strict session cookie', async () => {
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('login-error')!.textContent !== '');
    expect(await page.textContent('#login-error')).toBe('密码错误。');
    await page.fill('#login-password', TEST_ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app-view:not(.hidden)');
    const [cookie] = await context.cookies(t.url);
    expect(cookie).toMatchObject({ name: 'wxnotify_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('verify lists departments and members; generate shows the Code with curl, Python and Node examples', async () => {
    await page.fill('#corp-id', t.wecom.corpId);
    await page.fill('#corp-secret', t.wecom.corpSecret);
    await page.fill('#agent-id', String(t.wecom.agentId));
    await page.click('#verify');
    await page.waitForSelector('#members input[value=lisi]');
    expect(await page.textContent('#verify-status')).toBe('验证成功：3 个部门，3 名成员。');
    expect(await page.locator('#departments input').count()).toBe(3);
    await page.check('#members input[value=lisi]');
    await page.check('#departments input[value="3"]');
    await page.fill('#config-name', 'CPU alerts');
    await page.click('#generate');
    await page.waitForSelector('#result-card:not(.hidden)');
    const code = (await page.textContent('#result-code'))!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const curl = (await page.textContent('#example-curl'))!;
    expect(curl).toContain(`${t.url}/api/notify/${code}`);
    await page.click('.tab[data-tab=python]');
    expect(await page.isVisible('#example-python')).toBe(true);
    expect(await page.textContent('#example-python')).toContain(`requests.post(url, json=payload`);
    await page.click('.tab[data-tab=node]');
    expect(await page.textContent('#example-node')).toContain(`/api/notify/${code}`);
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(shots, 'generated.png'), png);
    if (process.env.WXNOTIFY_KEEP_SCREENSHOTS) writeFileSync(join(process.env.WXNOTIFY_KEEP_SCREENSHOTS, 'generated.png'), png);
    expect(await distinctColours(page, png)).toBeGreaterThan(20);

    // The Code from the page works, and reaches the picked member and department.
    const res = await t.call('POST', `/api/notify/${code}`, { title: '服务器告警', content: 'CPU 95%' }, { auth: false });
    expect(res.status).toBe(200);
    expect(t.wecom.delivered.at(-1)).toMatchObject({ touser: ['lisi'], toparty: ['3'] });
  });

  it('lists the Code; test-send, rotate and revoke work from the table', async () => {
    const row = page.locator('#codes-table tbody tr').first();
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe('CPU alerts');
    const before = t.wecom.delivered.length;
    await row.locator('button', { hasText: '测试' }).click();
    await page.waitForFunction(() => document.getElementById('codes-status')!.textContent === '测试消息已发送。');
    expect(t.wecom.delivered.length).toBe(before + 1);

    const oldCode = (await page.textContent('#result-code'))!;
    await row.locator('button', { hasText: '轮换' }).click();
    await page.waitForFunction((old) => document.getElementById('result-code')!.textContent !== old, oldCode);
    const newCode = (await page.textContent('#result-code'))!;
    expect((await t.call('POST', `/api/notify/${oldCode}`, { content: 'x' }, { auth: false })).status).toBe(404);
    expect((await t.call('POST', `/api/notify/${newCode}`, { content: 'x' }, { auth: false })).status).toBe(200);

    await page.locator('#codes-table tbody tr').first().locator('button', { hasText: '吊销' }).click();
    await page.waitForFunction(() => document.querySelector('#codes-table tbody tr td:nth-child(6)')?.textContent === '已吊销');
    expect((await t.call('POST', `/api/notify/${newCode}`, { content: 'x' }, { auth: false })).status).toBe(404);
  });

  it('switches to English and back', async () => {
    await page.click('#lang-toggle');
    expect(await page.textContent('h1')).toBe('WeCom notification service');
    expect(await page.textContent('#generate')).toBe('Generate notify API');
    await page.reload();
    await page.waitForSelector('#app-view:not(.hidden)');
    expect(await page.textContent('h1')).toBe('WeCom notification service');
    await page.click('#lang-toggle');
    expect(await page.textContent('h1')).toBe('企业微信通知服务');
  });

  it('had no script errors (the CSP allows only same-origin scripts and styles)', () => {
    expect(problems).toEqual([]);
  });
});
