import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alertGroupView,
  createChannel,
  formatAlertTime,
  formatDuration,
  groupAlerts,
  parseAlerts,
  renderAlertGroup,
  type WeComAppChannel,
  type WeComBotChannel,
} from '@wxnotify/core';
import { startFakeRobot, startFakeWeCom } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../fixtures/alerts', name), 'utf8'));
const NOW = Date.UTC(2026, 7, 1, 10, 5, 0);
const amGroup = () => groupAlerts(parseAlerts(fixture('alertmanager-v4.json'), { now: NOW }).alerts)[0];
const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe('time and duration', () => {
  it('shows times in the zone (default Asia/Shanghai) and durations by their two largest units', () => {
    expect(formatAlertTime('2026-08-01T10:00:00Z')).toBe('2026-08-01 18:00:00');
    expect(formatAlertTime('2026-08-01T10:00:00Z', 'UTC')).toBe('2026-08-01 10:00:00');
    expect(formatAlertTime('2026-08-01T20:00:00Z')).toBe('2026-08-02 04:00:00');
    expect(formatDuration(24 * 60_000 + 30_000)).toBe('24分钟30秒');
    expect(formatDuration(26 * 3600_000 + 60_000, 'en')).toBe('1d 2h');
    expect(formatDuration(40_000, 'en')).toBe('40s');
    expect(() => alertGroupView(amGroup(), { timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => alertGroupView(amGroup(), { language: 'fr' as never })).toThrow(/language/);
  });
});

describe('view', () => {
  it('counts, orders firing first, formats times and the resolved duration', () => {
    const view = alertGroupView(amGroup());
    expect(view).toMatchObject({ status: 'firing', severity: 'critical', level: 'critical', title: 'DiskFull', counts: { total: 2, firing: 1, resolved: 1 } });
    expect(view.countsText).toBe('共 2 条：告警中 1，已恢复 1');
    expect(view.alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(view.alerts[0]).toMatchObject({ startsAt: '2026-08-01 18:00:00', labelsText: 'instance=db1:9100 job=node team=ops', duration: '' });
    expect(view.alerts[1]).toMatchObject({ endsAt: '2026-08-01 18:04:30', duration: '24分钟30秒' });
    expect(view.url).toContain('prom.example');
    const en = alertGroupView(amGroup(), { language: 'en', timeZone: 'UTC', maxAlerts: 1 });
    expect(en.heading).toBe('【FIRING · critical】DiskFull');
    expect(en.alerts).toHaveLength(1);
    expect(en.moreText).toBe('…and 1 more not listed');
  });

  it('a group with only resolved alerts is resolved', () => {
    const batch = parseAlerts({ title: 'Down', content: 'ok again', status: 'resolved', startsAt: '2026-08-01T09:00:00Z' }, { now: NOW });
    const view = alertGroupView(groupAlerts(batch.alerts)[0]);
    expect(view).toMatchObject({ status: 'resolved', level: 'resolved', heading: '【已恢复】Down' });
    expect(view.alerts[0].duration).toBe('1小时5分钟');
  });
});

describe('default renderers, sent to the fakes', () => {
  it('robot markdown: severity colour, links, <@userid> mentions for the severity', async () => {
    const clock = new VirtualClock();
    const robot = await startFakeRobot({ clock });
    started.push(robot);
    const channel = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url }, { clock }) as WeComBotChannel;
    const n = renderAlertGroup(amGroup(), { channel: 'wecom-bot', mentions: { critical: { users: ['zhangsan'] }, warning: { users: ['lisi'] } } });
    await channel.send(n as never);
    const [sent] = robot.delivered;
    expect(sent.msgtype).toBe('markdown');
    const content = String(sent.payload.content);
    expect(content).toContain('<font color="warning">**【告警 · critical】DiskFull**</font>');
    expect(content).toContain('[来源](http://prom.example:9090/graph?g0.expr=disk_used_ratio%3E0.95)');
    expect(content).toContain('持续 24分钟30秒');
    expect(content).toContain('<@zhangsan>');
    expect(content).not.toContain('lisi');
  });

  it('robot text: mentioned_list and mentioned_mobile_list; no mentions once resolved', async () => {
    const clock = new VirtualClock();
    const robot = await startFakeRobot({ clock });
    started.push(robot);
    const channel = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url }, { clock }) as WeComBotChannel;
    const mentions = { '*': { mobiles: ['13800000000'] }, critical: { users: ['zhangsan'] } };
    await channel.send(renderAlertGroup(amGroup(), { channel: 'wecom-bot', style: 'text', mentions }) as never);
    expect(robot.delivered[0].msgtype).toBe('text');
    expect(robot.delivered[0].payload).toMatchObject({ mentioned_list: ['zhangsan'], mentioned_mobile_list: ['13800000000'] });
    expect(String(robot.delivered[0].payload.content)).not.toMatch(/<font|\*\*/);
    const resolved = groupAlerts(parseAlerts({ title: 'DiskFull', content: 'ok', status: 'resolved', severity: 'critical' }, { now: NOW }).alerts)[0];
    const n = renderAlertGroup(resolved, { channel: 'wecom-bot', style: 'text', mentions });
    expect(n.options).toBeUndefined();
  });

  it('WeCom app: a text card with the first link, markdown when there is none', async () => {
    const clock = new VirtualClock();
    const wecom = await startFakeWeCom({ clock });
    started.push(wecom);
    const channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, markdownFallback: 'text' }, { clock }) as WeComAppChannel;
    await channel.send({ ...renderAlertGroup(amGroup(), { channel: 'wecom-app' }), to: { users: ['zhangsan'] } } as never);
    expect(wecom.delivered[0].msgtype).toBe('textcard');
    expect(wecom.delivered[0].payload).toMatchObject({ title: '【告警 · critical】DiskFull', url: expect.stringContaining('prom.example'), btntxt: '详情' });
    expect(String(wecom.delivered[0].payload.description)).toContain('Disk almost full');
    const noLink = groupAlerts(parseAlerts({ title: 'Backup', content: 'failed' }, { now: NOW }).alerts)[0];
    // Markdown; the app's markdownFallback (text here) makes it readable in WeChat.
    await channel.send({ ...renderAlertGroup(noLink, { channel: 'wecom-app' }), to: { users: ['zhangsan'] } } as never);
    expect(wecom.delivered[1].msgtype).toBe('text');
    expect(String(wecom.delivered[1].payload.content)).toContain('【告警】Backup');
  });

  it('personal WeChat and JuHe get plain text; WxPusher gets markdown with a summary', () => {
    for (const channel of ['gewechat', 'wecom-hook']) {
      const n = renderAlertGroup(amGroup(), { channel, language: 'en', timeZone: 'UTC' });
      expect(n.format).toBe('text');
      expect(n.content).toContain('Started: 2026-08-01 10:00:00');
      expect(n.content).toContain('Source (http://prom.example');
      expect(n.content).not.toContain('<font');
    }
    const pusher = renderAlertGroup(amGroup(), { channel: 'wxpusher' });
    expect(pusher).toMatchObject({ format: 'markdown', summary: '【告警 · critical】DiskFull' });
    expect(pusher.content).not.toContain('<font');
  });
});

describe('custom templates (core template engine)', () => {
  it('renders the group view with the alert root, and fails at compile time on a bad placeholder', async () => {
    const { compileAlertTemplate } = await import('@wxnotify/core');
    const t = compileAlertTemplate({ title: '{{alert.statusText}}: {{alert.title}}', content: '实例 {{alert.first.labelsText}} · {{alert.labels.alertname}} · {{alert.countsText}}\n{{alert.list}}', format: 'markdown' });
    const n = t.render(amGroup(), { channel: 'wecom-bot', now: NOW });
    expect(n.title).toBe('告警: DiskFull');
    expect(n.content).toContain('实例 instance=db1:9100 job=node team=ops · DiskFull · 共 2 条');
    expect(n.content).toContain('[来源](http://prom.example');
    expect(() => compileAlertTemplate({ content: '{{body.x}}' })).toThrow(/template\.content/);
    expect(() => compileAlertTemplate({ content: '' })).toThrow(/content is required/);
  });
});
