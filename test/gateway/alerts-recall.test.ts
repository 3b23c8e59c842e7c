import { channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import type { TestGateway } from './support/test-gateway.js';

/** Resolved handling per Code: recall of the firing WeCom app message, and sendResolved off. */
describe('resolved alerts per Code', () => {
  let fakes: AlertFakes;
  let gw: TestGateway & { flush(): Promise<number> };
  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes);
  });
  afterAll(async () => {
    await gw?.close();
    await fakes?.close();
  });

  it('a WeCom app Code recalls the firing message when its group resolves, then sends the resolved card', async () => {
    const { id, code } = await gw.createCode({ name: 'app alerts' });
    await gw.call('PUT', `/admin/api/alerts/settings/${id}`, { recallFiring: true });
    const alert = { title: 'AppDisk', content: 'disk 97%', severity: 'critical', url: 'https://grafana.example/d/1' };
    await gw.call('POST', `/api/alerts/${code}`, alert, { auth: false });
    fakes.clock.advance(10_000);
    await gw.flush();
    const firing = fakes.wecom.delivered.at(-1)!;
    // A card (with 确认 / 静默 buttons when the app has callbacks, see alert-cards.test.ts).
    expect(firing.touser).toEqual(['zhangsan']);
    expect(JSON.stringify(firing.payload)).toContain('AppDisk');
    await gw.call('POST', `/api/alerts/${code}`, { ...alert, status: 'resolved' }, { auth: false });
    fakes.clock.advance(5 * 60_000);
    await gw.flush();
    expect(fakes.wecom.recalled).toContain(firing.msgid);
    expect(fakes.wecom.delivered.at(-1)!.msgid).not.toBe(firing.msgid);
    expect(JSON.stringify(fakes.wecom.delivered.at(-1)!.payload)).toContain('【已恢复】AppDisk');
  });

  it('sendResolved: false closes the group without a message', async () => {
    const { id, code } = await channelCode(gw, 'ops');
    await gw.call('PUT', `/admin/api/alerts/settings/${id}`, { sendResolved: false });
    const about = () => fakes.robot.delivered.filter((d) => String(d.payload.content).includes('QuietResolve')).length;
    await gw.call('POST', `/api/alerts/${code}`, { title: 'QuietResolve', content: 'x' }, { auth: false });
    fakes.clock.advance(10_000);
    await gw.flush();
    expect(about()).toBe(1);
    await gw.call('POST', `/api/alerts/${code}`, { title: 'QuietResolve', content: 'x', status: 'resolved' }, { auth: false });
    fakes.clock.advance(5 * 60_000);
    await gw.flush();
    expect(about()).toBe(1);
    const history = (await gw.call('GET', `/admin/api/alerts?state=resolved&codeId=${id}`)).json.groups;
    expect(history).toHaveLength(1);
  });
});
