/**
 * "Alert payload (Alertmanager / Grafana)" input of the WeCom Robot, WeCom and WxPusher nodes: the
 * items are webhook bodies as the Webhook node emits them ({body: ...}); the core parses, groups
 * and renders; items of one execution in one group become one message.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject } from 'n8n-workflow';
import { WeCom } from '../../../nodes/WeCom/WeCom.node';
import { WeComRobot } from '../../../nodes/WeComRobot/WeComRobot.node';
import { WxPusher } from '../../../nodes/WxPusher/WxPusher.node';
import { startFakeRobot, startFakeWeCom, type FakeRobot, type FakeWeCom } from '../../fakes/wecom';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../../fakes/wxpusher';
import { executeNode } from '../support/node-harness';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../fixtures/alerts', name), 'utf8')) as Record<string, unknown> & { alerts: Array<Record<string, unknown>> };
const webhookItem = (body: unknown): IDataObject => ({ headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: body as IDataObject });

/** The fixture with its alerts renamed, as a second rule would send it. */
function otherRule(alertname: string) {
	const am = fixture('alertmanager-v4.json');
	am.alerts = am.alerts.map((a) => ({ ...a, fingerprint: `${alertname}-${String(a.fingerprint)}`, labels: { ...(a.labels as object), alertname } }));
	am.groupLabels = { alertname };
	return am;
}

describe('alert payload input mode', () => {
	let robot: FakeRobot;
	let wecom: FakeWeCom;
	let wxpusher: FakeWxPusher;
	beforeEach(async () => {
		[robot, wecom, wxpusher] = await Promise.all([startFakeRobot(), startFakeWeCom(), FakeWxPusher.start()]);
	});
	afterEach(async () => {
		await Promise.all([robot.close(), wecom.close(), wxpusher.close()]);
	});

	it('WeCom Robot: an Alertmanager webhook item becomes the default markdown, no template written', async () => {
		const out = await executeNode(new WeComRobot(), {
			credentials: { weComRobotApi: { baseUrl: robot.url, key: robot.key } },
			parameters: { resource: 'message', operation: 'send', inputMode: 'alert' },
			items: [webhookItem(fixture('alertmanager-v4.json'))],
		});
		expect(robot.delivered).toHaveLength(1);
		expect(robot.delivered[0].msgtype).toBe('markdown');
		const content = String((robot.delivered[0].payload as { content: string }).content);
		expect(content).toContain('DiskFull');
		expect(content).toContain('db1:9100');
		expect(content).toContain('<font color=');
		expect(out).toEqual([expect.objectContaining({ json: expect.objectContaining({ ok: true, alerts: 2, alertGroup: { alertname: 'DiskFull' } }), pairedItem: [{ item: 0 }] })]);
	});

	it('items of one execution in one group are one message; another group is another message', async () => {
		const items = [webhookItem(fixture('alertmanager-v4.json')), webhookItem(otherRule('HighLoad')), webhookItem(fixture('alertmanager-v4.json'))];
		const out = await executeNode(new WeComRobot(), {
			credentials: { weComRobotApi: { baseUrl: robot.url, key: robot.key } },
			parameters: { resource: 'message', operation: 'send', inputMode: 'alert', alertOptions: { language: 'en', timeZone: 'UTC' } },
			items,
		});
		expect(robot.delivered).toHaveLength(2);
		expect(out.map((o) => [o.json.alertGroup, o.pairedItem])).toEqual([
			[{ alertname: 'DiskFull' }, [{ item: 0 }, { item: 2 }]],
			[{ alertname: 'HighLoad' }, [{ item: 1 }]],
		]);
		// The same alerts twice (fingerprint) are listed once.
		expect(out[0].json.alerts).toBe(2);
		expect(String((robot.delivered[0].payload as { content: string }).content)).toMatch(/10:00:00/);
	});

	it('a Grafana webhook through the WeCom node reaches the recipients of the first item', async () => {
		await executeNode(new WeCom(), {
			credentials: { weComAppApi: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } },
			parameters: { resource: 'message', operation: 'send', inputMode: 'alert', userPicks: { user: [{ id: { __rl: true, mode: 'id', value: 'zhangsan' } }] } },
			items: [webhookItem(fixture('grafana-v1.json'))],
		});
		expect(wecom.delivered).toHaveLength(1);
		expect(wecom.delivered[0].touser).toEqual(['zhangsan']);
		expect(['textcard', 'markdown']).toContain(wecom.delivered[0].msgtype);
	});

	it('WxPusher gets the markdown template with the heading as summary', async () => {
		await executeNode(new WxPusher(), {
			credentials: { wxPusherApi: { baseUrl: wxpusher.url, authType: 'appToken', appToken: DEFAULT_APP_TOKEN } },
			parameters: { resource: 'message', operation: 'send', inputMode: 'alert', uids: 'UID_alice' },
			items: [webhookItem(fixture('alertmanager-v4.json'))],
		});
		expect(wxpusher.sends).toHaveLength(1);
		expect(wxpusher.sends[0].body).toMatchObject({ contentType: 3, uids: ['UID_alice'], summary: expect.stringContaining('DiskFull') });
	});

	it('an unreadable payload names the field: an error item with continue-on-fail (others still sent), a NodeOperationError without', async () => {
		const broken = webhookItem({ version: '4', alerts: [42] });
		const params = { resource: 'message', operation: 'send', inputMode: 'alert' };
		const credentials = { weComRobotApi: { baseUrl: robot.url, key: robot.key } };
		const out = await executeNode(new WeComRobot(), { credentials, parameters: params, items: [broken, webhookItem(fixture('alertmanager-v4.json'))], continueOnFail: true });
		expect(out[0]).toMatchObject({ json: { code: 'INVALID_ALERT_PAYLOAD', error: expect.stringContaining('alerts[0]') }, pairedItem: { item: 0 } });
		expect(robot.delivered).toHaveLength(1);
		await expect(executeNode(new WeComRobot(), { credentials, parameters: params, items: [broken] })).rejects.toMatchObject({ name: 'NodeOperationError' });
		await expect(executeNode(new WeComRobot(), { credentials, parameters: { ...params, alertPayloadField: 'payload' }, items: [webhookItem({})] })).rejects.toThrow(/payload/);
	});
});
