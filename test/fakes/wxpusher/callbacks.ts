/**
 * Callback bodies shaped like the ones WxPusher POSTs to an app's callback URL (made-up values),
 * and a sender, for the n8n trigger and Nest controller tests.
 */
export const wxPusherCallbacks = {
  subscribe: (over: { uid?: string; extra?: string; source?: string } = {}) => ({
    action: 'app_subscribe',
    data: {
      appId: 27,
      appKey: 'AK_fake',
      appName: 'wxnotify test',
      source: over.source ?? 'scan',
      userName: '',
      userHeadImg: '',
      time: 1_763_800_000_000,
      uid: over.uid ?? 'UID_alice',
      extra: over.extra ?? 'user-42',
    },
  }),
  command: (over: { uid?: string; content?: string } = {}) => ({
    action: 'send_up_cmd',
    data: { uid: over.uid ?? 'UID_alice', appId: 27, appName: 'wxnotify test', time: 1_763_800_000_000, content: over.content ?? 'status' },
  }),
  orderPay: (over: { uid?: string; amount?: number } = {}) => ({
    action: 'order_pay',
    data: {
      addTime: 30,
      amount: over.amount ?? 990,
      appId: 27,
      createTime: 1_763_800_000_000,
      prodId: 5,
      tradeNo: 'T20261122000001',
      type: 1,
      uid: over.uid ?? 'UID_alice',
    },
  }),
};

/** POSTs a callback body like WxPusher does (JSON, no signature). */
export async function postWxPusherCallback(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}
