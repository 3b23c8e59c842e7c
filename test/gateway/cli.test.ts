import { runCli } from '../../gateway/src/cli/run.js';
import type { CliIo } from '../../gateway/src/cli/io.js';
import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/test-gateway.js';

interface Run {
  code: number;
  out: string[];
  err: string[];
  slept: number[];
  json(): any;
}

describe('wxnotify CLI against a running gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.gewe.online = true;
  });

  async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
    const run: Run = { code: -1, out: [], err: [], slept: [], json: () => JSON.parse(run.out.join('\n')) };
    const io: CliIo = {
      out: (s) => run.out.push(s),
      err: (s) => run.err.push(s),
      env: { WXNOTIFY_GATEWAY_URL: t.url, WXNOTIFY_API_KEY: TEST_API_KEY, WXNOTIFY_DATA_DIR: '/nonexistent', ...env },
      sleep: async (ms) => {
        run.slept.push(ms);
      },
    };
    run.code = await runCli(args, io);
    return run;
  }

  it('send --wxid --message → exit 0 and the newMsgId; the message reaches gewechat', async () => {
    const run = await cli(['send', '--wxid', 'wxid_friend_a', '--message', '这是一条测试消息']);
    expect(run.code).toBe(0);
    expect(run.out).toEqual([`sent (newMsgId ${t.gewe.sent.at(-1)!.newMsgId})`]);
    expect(t.gewe.sent.at(-1)!.body).toMatchObject({ toWxid: 'wxid_friend_a', content: '这是一条测试消息' });
  });

  it('--task runs the simulated task, then reports its completion (seed 000 test tool)', async () => {
    const run = await cli(['send', '--wxid', 'wxid_friend_a', '--task', '数据分析', '--duration', '2000']);
    expect(run.code).toBe(0);
    expect(run.slept).toEqual([2000]);
    expect(run.err).toEqual(['task "数据分析" running…']);
    expect(String(t.gewe.sent.at(-1)!.body.content)).toMatch(/^任务「数据分析」已完成/);
  });

  it('a batch prints progress and exits 1 when one recipient fails; --json reports each', async () => {
    const run = await cli(['send', '--wxid', 'wxid_friend_a', '--wxid', 'wxid_stranger', '--wxid', 'wxid_friend_b', 'batch']);
    expect(run.code).toBe(1);
    expect(run.err[0]).toBe('[1/3] wxid_friend_a sent');
    expect(run.err[1]).toMatch(/^\[2\/3\] wxid_stranger failed: 发送消息失败：用户不存在/);
    expect(run.err[2]).toBe('[3/3] wxid_friend_b sent');
    const json = await cli(['send', '--json', '--quiet', '--wxid', 'wxid_friend_a', '--wxid', 'wxid_stranger', 'batch']);
    expect(json.code).toBe(1);
    expect(json.err).toEqual([]);
    expect(json.json()).toMatchObject({ ok: false, sent: 1, failed: 1, results: [{ wxid: 'wxid_friend_a', ok: true }, { wxid: 'wxid_stranger', ok: false }] });
  });

  it('--code sends through the core gateway client; an unknown Code exits 4', async () => {
    const { code } = await t.createCode();
    const ok = await cli(['send', '--code', code, '--title', '部署完成', '项目已成功部署', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json()).toEqual({ ok: true, messageIds: [t.wecom.delivered.at(-1)!.msgid] });
    expect(t.wecom.delivered.at(-1)!.payload.content).toBe('**部署完成**\n项目已成功部署');
    const wrong = await cli(['send', '--code', 'A'.repeat(32), 'x']);
    expect(wrong.code).toBe(4);
    expect(wrong.err[0]).toMatch(/^error: 配置不存在/);
  });

  it('--channel uses the API key; without one it exits 4', async () => {
    const ok = await cli(['send', '--channel', 'wechat', '--to', 'wxid_friend_b', 'via channel']);
    expect(ok.code).toBe(0);
    expect(t.gewe.sent.at(-1)!.body).toMatchObject({ toWxid: 'wxid_friend_b', content: 'via channel' });
    const noKey = await cli(['send', '--channel', 'wechat', '--to', 'wxid_friend_b', 'x'], { WXNOTIFY_API_KEY: '' });
    expect(noKey.code).toBe(4);
    const badKey = await cli(['send', '--channel', 'wechat', '--to', 'wxid_friend_b', 'x', '--api-key', 'wxk_wrong_0123456789abcdef']);
    expect(badKey.code).toBe(4);
    expect(badKey.err.join('\n')).not.toContain('wxk_wrong_0123456789abcdef');
  });

  it('health: 0 when ok, 1 when the account is offline, 3 when the gateway is unreachable', async () => {
    expect((await cli(['health'])).out).toEqual(['ok: 服务正常运行中']);
    t.gewe.online = false;
    const offline = await cli(['health', '--json']);
    expect(offline.code).toBe(1);
    expect(offline.json()).toEqual({ ok: false, message: '用户未登录' });
    const gone = await cli(['health'], { WXNOTIFY_GATEWAY_URL: 'http://127.0.0.1:9' });
    expect(gone.code).toBe(3);
  });

  it('codes create | list | revoke for the local gateway; the secret comes only from the environment', async () => {
    const noSecret = await cli(['codes', 'create', '--corp-id', t.wecom.corpId, '--agent-id', String(t.wecom.agentId), '--user', 'zhangsan']);
    expect(noSecret.code).toBe(2);
    const created = await cli(['codes', 'create', '--json', '--corp-id', t.wecom.corpId, '--agent-id', String(t.wecom.agentId), '--user', 'zhangsan', '--name', 'cli'], {
      WXNOTIFY_CORP_SECRET: t.wecom.corpSecret,
    });
    expect(created.code).toBe(0);
    const { id, code, url } = created.json();
    expect(url).toBe(`${t.url}/api/notify/${code}`);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false })).status).toBe(200);
    const list = await cli(['codes', 'list']);
    expect(list.out.some((line) => line.startsWith(`${id}  ${code.slice(0, 4)}…  active`))).toBe(true);
    expect(list.out.join('\n')).not.toContain(code);
    expect((await cli(['codes', 'revoke', id])).out).toEqual([`revoked ${id}`]);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false })).status).toBe(404);
    expect((await cli(['codes', 'revoke', id])).code).toBe(4);
  });

  it('codes create --channel: a Code on a named channel (here personal WeChat) that takes alerts', async () => {
    const created = await cli(['codes', 'create', '--channel', 'wechat', '--to', 'wxid_friend_a', '--name', 'wechat alerts', '--json']);
    expect(created.code).toBe(0);
    const { id, code, alertsUrl, channelType, to } = created.json();
    expect({ channelType, to }).toEqual({ channelType: 'gewechat', to: ['wxid_friend_a'] });
    expect(alertsUrl).toBe(`${t.url}/api/alerts/${code}`);
    await t.call('PUT', `/admin/api/alerts/settings/${id}`, { groupWait: '0s' });
    expect((await t.call('POST', `/api/alerts/${code}`, { title: 'Backup failed', content: 'nas exit 2' }, { auth: false })).status).toBe(200);
    await t.gw.runtime.alerts!.engine.flush();
    const sent = t.gewe.sent.at(-1)!;
    expect(sent.toWxid).toBe('wxid_friend_a');
    expect(JSON.stringify(sent.body)).toContain('【告警】Backup failed');
    expect((await cli(['codes', 'create', '--channel', 'nope'])).code).not.toBe(0);
  });

  it('a wrong key is reported as rejected (and where it came from) by send and codes list', async () => {
    const wrong = 'wxk_wrong_0123456789abcdef';
    for (const args of [
      ['codes', 'list'],
      ['send', '--channel', 'wechat', '--to', 'wxid_friend_b', 'x'],
      ['send', '--wxid', 'wxid_friend_a', 'x'],
    ]) {
      const run = await cli(args, { WXNOTIFY_API_KEY: wrong });
      expect([args, run.code]).toEqual([args, 4]);
      expect(run.err[0]).toMatch(/rejected the API key from WXNOTIFY_API_KEY/);
      expect(run.err.join('\n')).not.toContain(wrong);
    }
    const flag = await cli(['codes', 'list', '--api-key', wrong]);
    expect(flag.err[0]).toMatch(/rejected the API key from --api-key/);
  });

  it('keys create | list | revoke: new keys send but cannot manage Codes', async () => {
    const created = await cli(['keys', 'create', '--name', 'cron', '--json']);
    expect(created.code).toBe(0);
    const { id, key, scope } = created.json();
    expect(scope).toBe('send');
    expect((await cli(['send', '--channel', 'wechat', '--to', 'wxid_friend_b', 'from cron'], { WXNOTIFY_API_KEY: key })).code).toBe(0);
    const denied = await cli(['codes', 'list'], { WXNOTIFY_API_KEY: key });
    expect(denied.code).toBe(4);
    expect(denied.err[0]).toMatch(/"admin" scope/);
    expect((await cli(['keys', 'list'])).out.some((line) => line.startsWith(`${id}  send   active   cron`))).toBe(true);
    expect((await cli(['keys', 'revoke', id])).out).toEqual([`revoked ${id}`]);
    expect((await cli(['keys', 'create', '--scope', 'root'])).code).toBe(2);
  });

  it('--version prints the gateway package version; health --code checks the Code without sending', async () => {
    const { readFileSync } = await import('node:fs');
    const version = (JSON.parse(readFileSync('gateway/package.json', 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-v']) expect((await cli([flag])).out).toEqual([`wxnotify ${version}`]);
    const { code } = await t.createCode({ name: 'cli-check' });
    const sends = t.wecom.sendCalls;
    expect((await cli(['health', '--code', code])).out).toEqual(['ok: Code valid: cli-check']);
    const wrong = await cli(['health', '--code', 'A'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.err[0]).toMatch(/Code rejected/);
    expect(t.wecom.sendCalls).toBe(sends);
  });

  it('usage errors exit 2 with a pointer to --help; --help exits 0', async () => {
    for (const args of [[], ['frobnicate'], ['send'], ['send', '--wxid', 'a', '--code', 'b', 'x'], ['send', '--wxid', 'a'], ['send', '--bogus'], ['codes', 'revoke']]) {
      const run = await cli(args);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.err[0]).toMatch(/wxnotify --help/);
    }
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/Exit codes: 0 ok, 1 send failed/);
  });
});
