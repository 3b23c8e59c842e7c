import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertKnownConfigKeys, channelConfigKeys, createChannel, type ChannelType } from '@wxnotify/core';
import { ConfigError, loadConfig } from '../../gateway/src/config.js';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../fakes/wxpusher/index.js';
import { startTestGateway } from './support/test-gateway.js';

/** Issue #13, gateway item 11: unknown channel-config keys are refused; `defaultTo` is the one name for default recipients. */
describe('channel configs in a channels file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxnotify-channels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (channels: unknown) => {
    const path = join(dir, `channels-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(channels));
    return path;
  };

  it('a misspelt key is refused at start with the list of valid keys', () => {
    const path = file({ push: { type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, defaulTo: { uids: ['UID_a'] } } });
    expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: path })).toThrow(ConfigError);
    expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: path })).toThrow(/channel "push": unknown key "defaulTo" in a wxpusher config\. Valid keys: type, baseUrl, timeoutMs, onQuota, quotas, appToken, spt, defaultTo, rateLimit, concurrency\./);
    expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: file({ ops: { type: 'wecom-bot', key: 'k', secret: 'x', mentions: [] } }) })).toThrow(/unknown keys "secret", "mentions" in a wecom-bot config/);
    expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: file({ ops: { type: 'wecom-robot', key: 'k' } }) })).toThrow(/unknown channel type "wecom-robot".*Valid types: wecom-app, wecom-bot/);
  });

  it('every channel names its default recipients defaultTo (the old `to` still works)', () => {
    const withRecipients = (['wecom-app', 'wxpusher', 'gateway'] as ChannelType[]).filter((type) => channelConfigKeys(type).includes('defaultTo'));
    expect(withRecipients).toEqual(['wecom-app', 'wxpusher', 'gateway']);
    for (const type of ['gewechat', 'wecom-bot', 'wecom-hook', 'wecom-app', 'wxpusher', 'gateway'] as ChannelType[]) expect(channelConfigKeys(type)).not.toContain('to');
    expect(() => assertKnownConfigKeys({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, to: { uids: 'UID_a' } })).not.toThrow();
  });

  it('defaultTo on a WxPusher channel is used by a send without `to` (it used to be ignored → NO_RECIPIENTS)', async () => {
    const wxpusher = await FakeWxPusher.start();
    const t = await startTestGateway({
      env: { WXNOTIFY_CHANNELS_FILE: file({ push: { type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: wxpusher.url, defaultTo: { uids: ['UID_default_reader'] } } }) },
    });
    try {
      const res = await t.call('POST', '/api/channels/push/send', { content: '备份完成' });
      expect(res.status).toBe(200);
      expect(wxpusher.sends.at(-1)!.body).toMatchObject({ content: '备份完成', uids: ['UID_default_reader'] });
      // The old name keeps working for configs written before.
      const legacy = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: wxpusher.url, to: { uids: 'UID_old_name' } });
      await legacy.send({ content: 'legacy' });
      expect(wxpusher.sends.at(-1)!.body).toMatchObject({ uids: ['UID_old_name'] });
    } finally {
      await t.close();
      await wxpusher.close();
    }
  });
});
