import type { FakeGatewayDelivery } from '../../fakes/gateway/server.js';
import type { StartGatewayHarness } from '../../fakes/gateway/harness.js';
import { GewechatFake } from '../../fakes/gewechat/index.js';
import { FakeWeCom } from '../../fakes/wecom/index.js';
import { startTestGateway } from './test-gateway.js';

/** The wxids the contract sends to, known to the fake gewechat account as friends. */
const CONTRACT_FRIENDS = ['wxid_abc', 'wxid_a', 'wxid_b', 'wxid_c'];

/** Splits the markdown the core sends to WeCom (`**title**\ncontent`) back into title and content. */
function titleAndContent(markdown: string): { title?: string; content: string } {
  const match = /^\*\*(.+?)\*\*\n([\s\S]*)$/.exec(markdown);
  return match ? { title: match[1], content: match[2]! } : { content: markdown };
}

/**
 * The real gateway behind the shared client contract (test/fakes/gateway/client-contract.ts):
 * what was "delivered" is read from the fake gewechat and WeCom servers behind it.
 */
export const startRealGatewayHarness: StartGatewayHarness = async (options) => {
  const fakes = { gewe: await GewechatFake.start({ friends: CONTRACT_FRIENDS }), wecom: await FakeWeCom.start() };
  const t = await startTestGateway({
    fakes,
    now: options.clock ? () => options.clock!.now() : undefined,
    config: {
      apiKeys: options.apiKey ? [options.apiKey] : [],
      notifyAuth: options.apiKey ? 'api-key' : 'none',
      ...(options.rateLimit ? { codeRatePerMinute: options.rateLimit.limit, codeRateWindowMs: options.rateLimit.windowMs } : {}),
    },
  });
  const { code } = await t.gw.runtime.codes.create({ ...t.wecom.credentials, to: { users: ['zhangsan'] }, name: 'contract' });
  return {
    url: t.url,
    code,
    delivered: (): FakeGatewayDelivery[] => [
      ...t.gewe.sent.map((s) => ({ route: 'wxid' as const, wxid: s.toWxid, content: String(s.body.content) })),
      ...t.wecom.delivered.map((d) => ({ route: 'code' as const, code, ...titleAndContent(String(d.payload.content)) })),
    ],
    setLoggedIn: (loggedIn) => {
      t.gewe.online = loggedIn;
    },
    failUpstreamOnce: (errcode, errmsg) => t.wecom.failNext('message/send', errcode, 1, errmsg),
    close: async () => {
      await t.close();
      await Promise.all([fakes.gewe.close(), fakes.wecom.close()]);
    },
  };
};
