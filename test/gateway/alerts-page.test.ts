import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import { TEST_ADMIN_PASSWORD, type TestGateway } from './support/test-gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const describeIfChromium = existsSync(CHROMIUM) ? describe : describe.skip;

/** The Alerts view and the Delivery log, driven in real Chromium against a gateway on the fakes. */
describeIfChromium('alerts page in headless Chromium', () => {
  let fakes: AlertFakes;
  let gw: TestGateway & { flush(): Promise<number> };
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];

  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes);
    profile = mkdtempSync(join(tmpdir(), 'wxnotify-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && !/401|Unauthorized/.test(m.text()) && problems.push(`console: ${m.text()}`));
    page.setDefaultTimeout(8000);
    await page.goto(gw.url);
    await page.fill('#login-password', TEST_ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app-view:not(.hidden)');
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await gw?.close();
    await fakes?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('creates a robot Code, shows its firing group, acknowledges and silences it, and lists the delivery', async () => {
    await page.waitForSelector('#cc-channel option[value="ops"]', { state: 'attached' });
    expect(await page.textContent('#channel-codes-card h2')).toContain('通道 Code');
    await page.selectOption('#cc-channel', 'ops');
    await page.fill('#cc-name', 'page robot');
    await page.click('#cc-create');
    await page.waitForSelector('#cc-result:not(.hidden)');
    const code = (await page.textContent('#cc-code'))!;
    expect(await page.textContent('#cc-alerts-url')).toBe(`${gw.url}/api/alerts/${code}`);

    const res = await gw.call('POST', `/api/alerts/${code}`, [{ title: 'PageDisk', content: 'disk <b>97%</b>', severity: 'critical', labels: { instance: 'db1' } }], { auth: false });
    expect(res.status).toBe(200);
    fakes.clock.advance(10_000);
    await gw.flush();
    await page.click('#alerts-refresh');
    const row = page.locator('#alert-groups tr[data-group="{alertname=\\"PageDisk\\"}"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('【告警 · critical】PageDisk');
    // Server text is shown as text, never as markup.
    expect(await row.locator('li').first().textContent()).toContain('disk <b>97%</b>');

    await row.getByRole('button', { name: '确认' }).click();
    await page.waitForFunction(() => document.querySelector('#alert-groups tr button')?.textContent === '已确认');
    await row.locator('input.silence-duration').fill('30m');
    await row.getByRole('button', { name: '静默' }).click();
    await page.waitForSelector('#alert-silences tr[data-silence]');
    expect(await page.textContent('#alert-silences tbody')).toContain('alertname="PageDisk"');

    const delivery = page.locator('#deliveries-table tbody tr').first();
    await delivery.waitFor();
    expect(await delivery.textContent()).toContain('wecom-bot');
    expect(await delivery.textContent()).toContain('已发送');
    expect(problems).toEqual([]);
  });

  it('searches the delivery log and resends a message', async () => {
    await page.fill('#deliveries-search', 'no-such-text');
    await page.waitForSelector('#deliveries-empty:not(.hidden)');
    await page.fill('#deliveries-search', 'PageDisk');
    await page.waitForSelector('#deliveries-table tbody tr');
    const before = fakes.robot.delivered.length;
    await page.locator('#deliveries-table tbody tr').first().getByRole('button', { name: '重发' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#deliveries-table tbody tr').length === 2);
    expect(fakes.robot.delivered.length).toBe(before + 1);
    expect(String(fakes.robot.delivered.at(-1)!.payload.content)).toContain('PageDisk');
    await page.click('#lang-toggle');
    await page.waitForFunction(() => document.querySelector('#deliveries-card h2')?.textContent === 'Delivery log');
    expect(await page.textContent('#alerts-tab-resolved')).toBe('Resolved');
    expect(problems).toEqual([]);
  });

  it('the column headers of the Alerts view and the Delivery log follow the language switch, at 1,100 px and at 390 px', async () => {
    const headers = () =>
      page.evaluate(() =>
        Object.fromEntries(['alert-groups', 'alert-silences', 'deliveries-table'].map((id) => [id, Array.from(document.querySelectorAll(`#${id} thead th`)).map((th) => th.textContent)])),
      );
    const labels = () => page.evaluate(() => Array.from(document.querySelectorAll('#deliveries-table tbody tr:first-child td')).map((td) => td.getAttribute('data-label')));
    const english = {
      'alert-groups': ['Group', 'Alerts', 'Last notification', 'Actions'],
      'alert-silences': ['Group', 'Time', 'Actions'],
      'deliveries-table': ['Time', 'Receiver / channel', 'Title', 'Parts', 'Status', 'Upstream code', 'Retries', 'Coalesced', 'Actions'],
    };
    const chinese = {
      'alert-groups': ['告警组', '告警', '上次通知', '操作'],
      'alert-silences': ['告警组', '时间', '操作'],
      'deliveries-table': ['时间', '接收方 / 通道', '标题', '分段', '状态', '上游代码', '重试', '合并', '操作'],
    };
    const toggle = async (to: 'en' | 'zh-CN') => {
      await page.click('#lang-toggle');
      await page.waitForFunction((lang) => document.documentElement.lang === lang, to);
    };
    if ((await page.evaluate(() => document.documentElement.lang)) !== 'en') await toggle('en');
    await page.waitForSelector('#deliveries-table tbody tr');
    for (const width of [1100, 390]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await headers()).toEqual(english);
      await page.waitForFunction(() => document.querySelector('#deliveries-table tbody tr td')?.getAttribute('data-label') === 'Time');
      expect(await labels()).toEqual(english['deliveries-table']);
      await toggle('zh-CN');
      expect(await headers()).toEqual(chinese);
      await page.waitForFunction(() => document.querySelector('#deliveries-table tbody tr td')?.getAttribute('data-label') === '时间');
      expect(await labels()).toEqual(chinese['deliveries-table']);
      await toggle('en');
    }
    await toggle('zh-CN');
    await page.setViewportSize({ width: 1100, height: 900 });
    expect(problems).toEqual([]);
  });

  it('a failed delivery shows why under its title (e.g. "card not updated: <hint>")', async () => {
    const robot = await channelCode(gw, 'ops');
    fakes.robot.failNext(93000, 1);
    await gw.call('POST', `/api/alerts/${robot.code}`, [{ title: 'PageFail', content: 'x', severity: 'warning' }], { auth: false });
    fakes.clock.advance(10_000);
    await gw.flush();
    const failed = (await gw.call('GET', '/admin/api/alerts/deliveries?q=PageFail')).json.deliveries[0];
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.error).toBeTruthy();
    await page.fill('#deliveries-search', 'PageFail');
    const row = page.locator(`#deliveries-table tr[data-delivery="${failed.id}"]`);
    await row.waitFor();
    expect(await row.locator('.delivery-error').textContent()).toBe(failed.error);
    expect(problems).toEqual([]);
  });

  it('lists sends made outside the alert intake too, a failure with its code and Chinese-first hint', async () => {
    await page.fill('#deliveries-search', '');
    expect((await gw.call('POST', '/api/channels/ops/send', { title: 'Deploy from CI', content: 'v2 live' })).status).toBe(200);
    fakes.robot.failNext(93000);
    const failed = await gw.call('POST', '/api/channels/ops/send', { title: 'Broken robot', content: 'x' });
    expect(failed.json.hint).toBeTruthy();
    await page.click('#alerts-refresh');
    const sent = page.locator('#deliveries-table tbody tr', { hasText: 'Deploy from CI' });
    await sent.waitFor();
    expect(await sent.textContent()).toContain('已发送');
    expect(await sent.textContent()).toContain('POST /api/channels/{name}/send');
    const broken = page.locator('#deliveries-table tbody tr', { hasText: 'Broken robot' });
    expect(await broken.textContent()).toContain('失败');
    expect(await broken.textContent()).toContain('93000');
    expect(await broken.locator('.delivery-hint').textContent()).toBe(failed.json.hint);
    expect(problems).toEqual([]);
  });

  it('on a phone-sized screen the delivery log shows one labelled block per message, not one character per line', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => document.getElementById('deliveries-card')?.scrollIntoView());
    const layout = await page.evaluate(() => {
      const table = document.getElementById('deliveries-table')!;
      const cell = table.querySelector('tbody tr td') as HTMLElement;
      return {
        headHidden: getComputedStyle(table.querySelector('thead')!).display === 'none',
        label: cell.getAttribute('data-label'),
        firstHeader: table.querySelector('thead th')!.textContent,
        cellWidth: cell.getBoundingClientRect().width,
        tableWidth: table.getBoundingClientRect().width,
      };
    });
    const shot = join(mkdtempSync(join(tmpdir(), 'wxnotify-alerts-shots-')), 'alerts-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`[alerts page] phone screenshot: ${shot}`);
    expect(layout.headHidden).toBe(true);
    expect(layout.label).toBeTruthy();
    expect(layout.label).toBe(layout.firstHeader);
    expect(layout.cellWidth).toBeGreaterThan(250);
    expect(layout.tableWidth).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1100, height: 900 });
  });
});
