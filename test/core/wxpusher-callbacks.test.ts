import { isNotifyError, parseWxPusherCallback, verifyCallbackSecret } from '@wxnotify/core';
import { wxPusherCallbacks } from '../fakes/wxpusher';

describe('parseWxPusherCallback', () => {
  it('parses app_subscribe with its extra', () => {
    const event = parseWxPusherCallback(wxPusherCallbacks.subscribe({ uid: 'UID_x', extra: 'user-7' }));
    expect(event.type).toBe('subscribe');
    if (event.type !== 'subscribe') throw new Error('narrowing');
    expect(event.data).toMatchObject({ uid: 'UID_x', appId: 27, extra: 'user-7', source: 'scan' });
  });

  it('parses send_up_cmd and order_pay, also from JSON text', () => {
    const cmd = parseWxPusherCallback(JSON.stringify(wxPusherCallbacks.command({ content: 'restart web' })));
    expect(cmd).toMatchObject({ type: 'command', action: 'send_up_cmd', data: { uid: 'UID_alice', content: 'restart web' } });
    const pay = parseWxPusherCallback(Buffer.from(JSON.stringify(wxPusherCallbacks.orderPay({ amount: 1990 }))));
    expect(pay).toMatchObject({ type: 'payment', data: { amount: 1990, prodId: 5, tradeNo: 'T20261122000001', type: 1 } });
  });

  it('passes unknown future actions through untouched', () => {
    const body = { action: 'topic_subscribe', data: { uid: 'UID_x', topicId: 9, nested: { a: [1, 2] } }, extraTop: true };
    const event = parseWxPusherCallback(body);
    expect(event).toEqual({ type: 'unknown', action: 'topic_subscribe', data: body.data, raw: body });
  });

  it.each([
    ['not JSON', '{nope'],
    ['an array', [1]],
    ['no action', { data: {} }],
    ['subscribe without uid', { action: 'app_subscribe', data: { appId: 1 } }],
    ['order with a non-numeric amount', { action: 'order_pay', data: { uid: 'UID_a', appId: 1, prodId: 2, tradeNo: 'T', amount: 'lots' } }],
  ])('rejects %s with a validation error', (_label, body) => {
    let caught: unknown;
    try {
      parseWxPusherCallback(body);
    } catch (error) {
      caught = error;
    }
    expect(isNotifyError(caught) && caught.code === 'INVALID_CALLBACK' && caught.kind === 'validation').toBe(true);
  });
});

describe('verifyCallbackSecret', () => {
  it('accepts the exact secret and rejects anything else', () => {
    expect(verifyCallbackSecret('s3cret-path-token', 's3cret-path-token')).toBe(true);
    expect(verifyCallbackSecret('s3cret-path-token', ['s3cret-path-token'])).toBe(true);
    expect(verifyCallbackSecret('s3cret-path-token', 's3cret-path-tokeN')).toBe(false);
    expect(verifyCallbackSecret('s3cret-path-token', 's3cret')).toBe(false);
    expect(verifyCallbackSecret('s3cret-path-token', `s3cret-path-token${'x'.repeat(100)}`)).toBe(false);
    expect(verifyCallbackSecret('s3cret-path-token', undefined)).toBe(false);
    expect(verifyCallbackSecret('', '')).toBe(false);
  });

  it('compares equal-length digests, so inputs of any length never throw', () => {
    expect(() => verifyCallbackSecret('a', 'much longer presented value')).not.toThrow();
  });
});
