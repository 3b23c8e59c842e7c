import type { GewechatCallbackEvent, TemplateCardEvent, WeComCallbackMessage, WeComHookCallback, WeComHookMessage, WxPusherCallbackEvent } from '@wxnotify/core';

/** EventEmitter2 event names the callbacks are re-emitted under. */
export const NOTIFY_CALLBACK_EVENTS = {
  wecom: 'wxnotify.callback.wecom',
  /** A member's click on an interactive card (reported once); also emitted as `wxnotify.card.<key>`. */
  wecomCard: 'wxnotify.callback.wecom.card',
  wxpusher: 'wxnotify.callback.wxpusher',
  gewechat: 'wxnotify.callback.gewechat',
  juheMessage: 'wxnotify.callback.juhe.message',
  juheEvent: 'wxnotify.callback.juhe.event',
} as const;

export type NotifyCallbackEvent =
  | { source: 'wecom'; message: WeComCallbackMessage }
  | { source: 'wecom-card'; event: TemplateCardEvent }
  | { source: 'wxpusher'; event: WxPusherCallbackEvent }
  | { source: 'gewechat'; event: GewechatCallbackEvent }
  | { source: 'juhe'; kind: 'message'; guid: string; notifyType: number; message: WeComHookMessage }
  | { source: 'juhe'; kind: 'event'; callback: Extract<WeComHookCallback, { kind: 'event' }> };

export function eventName(event: NotifyCallbackEvent): string {
  switch (event.source) {
    case 'wecom':
      return NOTIFY_CALLBACK_EVENTS.wecom;
    case 'wecom-card':
      return NOTIFY_CALLBACK_EVENTS.wecomCard;
    case 'wxpusher':
      return NOTIFY_CALLBACK_EVENTS.wxpusher;
    case 'gewechat':
      return NOTIFY_CALLBACK_EVENTS.gewechat;
    case 'juhe':
      return event.kind === 'message' ? NOTIFY_CALLBACK_EVENTS.juheMessage : NOTIFY_CALLBACK_EVENTS.juheEvent;
  }
}

/** The EventEmitter2 event a card click with this button key is emitted under. */
export function cardActionEvent(key: string): string {
  return `wxnotify.card.${key}`;
}
