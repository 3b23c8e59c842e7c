import type { GewechatCallbackEvent, WeComCallbackMessage, WeComHookCallback, WeComHookMessage, WxPusherCallbackEvent } from '@wxnotify/core';

/** EventEmitter2 event names the callbacks are re-emitted under. */
export const NOTIFY_CALLBACK_EVENTS = {
  wecom: 'wxnotify.callback.wecom',
  wxpusher: 'wxnotify.callback.wxpusher',
  gewechat: 'wxnotify.callback.gewechat',
  juheMessage: 'wxnotify.callback.juhe.message',
  juheEvent: 'wxnotify.callback.juhe.event',
} as const;

export type NotifyCallbackEvent =
  | { source: 'wecom'; message: WeComCallbackMessage }
  | { source: 'wxpusher'; event: WxPusherCallbackEvent }
  | { source: 'gewechat'; event: GewechatCallbackEvent }
  | { source: 'juhe'; kind: 'message'; guid: string; notifyType: number; message: WeComHookMessage }
  | { source: 'juhe'; kind: 'event'; callback: Extract<WeComHookCallback, { kind: 'event' }> };

export function eventName(event: NotifyCallbackEvent): string {
  switch (event.source) {
    case 'wecom':
      return NOTIFY_CALLBACK_EVENTS.wecom;
    case 'wxpusher':
      return NOTIFY_CALLBACK_EVENTS.wxpusher;
    case 'gewechat':
      return NOTIFY_CALLBACK_EVENTS.gewechat;
    case 'juhe':
      return event.kind === 'message' ? NOTIFY_CALLBACK_EVENTS.juheMessage : NOTIFY_CALLBACK_EVENTS.juheEvent;
  }
}
