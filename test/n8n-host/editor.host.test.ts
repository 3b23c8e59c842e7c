/**
 * The package in the real n8n 2.41.1 editor, in headless Chromium: node creator search by Chinese
 * aliases, the WeCom node form (text card fields, a recipient lookup that cannot load), the WeCom
 * Trigger notice and the WeCom App credential form. Screenshots go to WXNOTIFY_SHOTS (default: a
 * temp folder, printed) so a person can look at them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { createInstance, N8nInstance } from './harness';
import { buildAndPackWxnotify, wx } from './wxnotify-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const describeIfChromium = fs.existsSync(CHROMIUM) ? describe : describe.skip;

describeIfChromium('n8n-nodes-wxnotify in the real n8n editor (Chromium)', () => {
	let n8n: N8nInstance;
	let wecom: FakeWeCom;
	let browser: Browser;
	let page: Page;
	let packDir: string;
	let workflowId: string;
	let appCredentialId: string;
	const shots = process.env.WXNOTIFY_SHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wxnotify-editor-shots-'));
	const shot = async (name: string) => {
		const file = path.join(shots, `${name}.png`);
		await page.screenshot({ path: file });
		return file;
	};

	beforeAll(async () => {
		fs.mkdirSync(shots, { recursive: true });
		console.log(`[wxnotify editor] screenshots in ${shots}`);
		const pack = buildAndPackWxnotify();
		packDir = pack.dir;
		wecom = await startFakeWeCom();
		n8n = await createInstance({ packageTarball: pack.tarball });
		const [app, callback] = await n8n.importCredentials([
			{ name: 'WeCom app (wrong secret)', type: 'weComAppApi', data: { baseUrl: wecom.url, corpId: wecom.corpId, secret: 'wrong-secret', agentId: String(wecom.agentId) } },
			{ name: 'WeCom callback', type: 'weComCallbackApi', data: { corpId: wecom.corpId, token: 'cbToken42', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' } },
		]);
		appCredentialId = app.id;
		const send = {
			...wx('Send Card', 'weCom', {
				resource: 'message',
				operation: 'send',
				messageType: 'textcard',
				userPicks: { user: [{ id: { __rl: true, mode: 'list', value: 'zhangsan', cachedResultName: '张三 (zhangsan)' } }] },
			}, { weComAppApi: { id: app.id, name: app.name } }),
			typeVersion: 2,
			position: [400, 200],
		};
		const trigger = { ...wx('WeCom Trigger', 'weComTrigger', {}, { weComCallbackApi: { id: callback.id, name: callback.name } }), webhookId: '11111111-2222-4333-8444-0000000000aa', position: [100, 200] };
		workflowId = await n8n.importWorkflow({ name: 'editor check', nodes: [trigger, send], connections: { 'WeCom Trigger': { main: [[{ node: 'Send Card', type: 'main', index: 0 }]] } } });
		await n8n.start();
		await n8n.login(); // creates the owner the browser signs in as
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
		page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		await page.goto(`${n8n.baseUrl}/signin`);
		await page.fill('input[name="emailOrLdapLoginId"]', n8n.owner.email);
		await page.fill('input[name="password"]', n8n.owner.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
	}, 240_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.dispose();
		await wecom?.close();
		if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
	});

	const openWorkflow = async () => {
		await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`);
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	};
	const openNode = async (name: string) => {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
		await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30_000 });
		await page.waitForTimeout(1500);
	};

	it('the node creator finds the WeCom nodes for 企业微信 and the robot for 群机器人', async () => {
		await openWorkflow();
		await page.locator('[data-test-id="canvas-plus-button"], [data-test-id="node-creator-plus-button"]').first().click();
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"], [data-test-id="node-creator"] input').first();
		await search.fill('企业微信');
		await page.waitForTimeout(1500);
		await shot('node-creator-qiye-weixin');
		const found = await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
		expect(found).toEqual(expect.arrayContaining(['WeCom', 'WeCom Robot']));
		await search.fill('群机器人');
		await page.waitForTimeout(1500);
		expect(await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts()).toContain('WeCom Robot');
		await page.keyboard.press('Escape');
	});

	it('the WeCom node: text card Title and URL required with placeholders; a lookup that cannot load says why, and the saved recipient stays visible', async () => {
		await openWorkflow();
		await openNode('Send Card');
		const ndv = page.locator('[data-test-id="ndv"]');
		await page.waitForTimeout(2000);
		const file = await shot('wecom-textcard');
		const text = await ndv.innerText();
		expect(text).not.toContain('[object Object]');
		const values = await ndv.locator('input').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
		expect(values).toContain('张三 (zhangsan)');
		expect(text).not.toContain('Markdown Fallback');
		for (const placeholder of ['e.g. Disk almost full', 'https://example.com/incidents/42', 'e.g. 详情']) {
			expect(await ndv.locator(`[placeholder="${placeholder}"]`).count()).toBeGreaterThan(0);
		}
		// Open the user list: the credential's secret is wrong, so the list cannot load.
		await ndv.locator('[data-test-id="rlc-input"]').first().click();
		await page.waitForTimeout(3000);
		await shot('wecom-lookup-error');
		const body = await page.locator('body').innerText();
		expect(body).not.toContain('[object Object]');
		expect(body).toMatch(/40001/);
		expect(body).not.toMatch(/\b200 - /);
		await page.keyboard.press('Escape');
		await ndv.locator('[placeholder="https://example.com/incidents/42"]').first().scrollIntoViewIfNeeded();
		await shot('wecom-textcard-fields');
		expect(fs.statSync(file).size).toBeGreaterThan(10_000);
		await page.keyboard.press('Escape');
	});

	it('the WeCom Trigger notice says the Production URL is above and to publish before the URL check', async () => {
		await openWorkflow();
		await openNode('WeCom Trigger');
		await shot('wecom-trigger');
		const text = await page.locator('[data-test-id="ndv"]').innerText();
		expect(text).toContain('Publish the workflow first');
		expect(text).toContain('Production URL above');
		await page.keyboard.press('Escape');
	});

	it('the WeCom App credential form: Corp ID first with where to find it, Base URL last, Agent ID not prefilled', async () => {
		await page.goto(`${n8n.baseUrl}/home/credentials/${appCredentialId}`);
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		await shot('wecom-app-credential');
		const text = await modal.innerText();
		expect(text.indexOf('Corp ID')).toBeGreaterThan(-1);
		expect(text.indexOf('Corp ID')).toBeLessThan(text.indexOf('Base URL'));
		expect(text.indexOf('Agent ID')).toBeLessThan(text.indexOf('Base URL'));
		expect(await modal.locator('[placeholder="e.g. 1000002"]').count()).toBe(1);
	});
});
