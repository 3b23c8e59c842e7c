import { validationError } from '../../model/notify-error';
import { toPlainText } from '../../engine/render';
import type { Notification } from '../../model/notification';

/** One wxid (`wxid_…`, `…@chatroom`), a list, or `{ wxid }` with either. */
export type GewechatRecipients = string | string[] | { wxid: string | string[] };

export type GewechatMessageType = 'text' | 'image' | 'file' | 'link';

export interface GewechatOptions {
  /** Text only, group chats only: wxids to @-mention. The content must contain the `@name` text. */
  ats?: string | string[];
  /** Text only, group chats only: mention everyone (`notify@all`, owner/admin accounts only). */
  atAll?: boolean;
  /** image: picture URL the server downloads (default: `notification.url`). */
  imgUrl?: string;
  /** file: file URL the server downloads (default: `notification.url`). */
  fileUrl?: string;
  /** file: name shown in the chat (required for files). */
  fileName?: string;
  /** link: target URL (default: `notification.url`). */
  linkUrl?: string;
  /** link: thumbnail URL. */
  thumbUrl?: string;
  /** link: description (default: `notification.summary`, then the content). */
  desc?: string;
}

export type GewechatNotification = Notification<GewechatRecipients, GewechatOptions>;

/** A validated send: the recipients and the path + body (without appId/toWxid) shared by all. */
export interface GewechatSendPlan {
  type: GewechatMessageType;
  recipients: string[];
  path: string;
  body: Record<string, string>;
}

const PATHS: Record<GewechatMessageType, string> = {
  text: '/message/postText',
  image: '/message/postImage',
  file: '/message/postFile',
  link: '/message/postLink',
};

function invalid(message: string, hint?: string): never {
  throw validationError('gewechat', 'INVALID_MESSAGE', message, hint);
}

function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim());
}

function recipientsOf(to: GewechatRecipients | undefined): string[] {
  const raw = to !== null && typeof to === 'object' && !Array.isArray(to) ? to.wxid : to;
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((w) => (typeof w === 'string' ? w.trim() : ''));
  if (list.length === 0) invalid('notification.to is required: a wxid, a list of wxids or { wxid }', 'Use a friend wxid (wxid_…) or a group id (…@chatroom).');
  const bad = list.filter((w) => w === '' || /\s/.test(w));
  if (bad.length > 0) invalid(`notification.to contains ${bad.length} empty or malformed wxid(s)`, 'wxids contain no spaces, e.g. wxid_abc123 or 12345678@chatroom.');
  return [...new Set(list)];
}

function textOf(n: GewechatNotification): string {
  const content = toPlainText(n.content ?? '', n.format);
  const text = [n.title, content, n.url].filter((p) => typeof p === 'string' && p.trim() !== '').join('\n');
  if (text.trim() === '') invalid('notification.content is required for text messages');
  return text;
}

function atsOf(options: GewechatOptions, recipients: string[]): string | undefined {
  const list = [...(Array.isArray(options.ats) ? options.ats : options.ats ? options.ats.split(',') : [])].map((a) => a.trim()).filter(Boolean);
  if (options.atAll) list.push('notify@all');
  if (list.length === 0) return undefined;
  const direct = recipients.filter((r) => !r.endsWith('@chatroom'));
  if (direct.length > 0) invalid(`@-mentions only work in group chats, but ${direct.length} recipient(s) are not groups`, 'Send ats/atAll only to group ids ending in @chatroom.');
  return [...new Set(list)].join(',');
}

/** Validates a notification into a send plan; throws a validation error before any request. */
export function planGewechatSend(n: GewechatNotification): GewechatSendPlan {
  if (!n || typeof n !== 'object') invalid('notification must be an object');
  const type = (n.type ?? 'text') as GewechatMessageType;
  if (!(type in PATHS)) invalid(`notification.type "${String(n.type)}" is not supported`, 'Use text, image, file or link.');
  const recipients = recipientsOf(n.to);
  const options: GewechatOptions = n.options ?? {};
  const body: Record<string, string> = {};
  switch (type) {
    case 'text': {
      body.content = textOf(n);
      const ats = atsOf(options, recipients);
      if (ats) body.ats = ats;
      break;
    }
    case 'image': {
      const imgUrl = options.imgUrl ?? n.url;
      if (!isHttpUrl(imgUrl)) invalid('image messages need options.imgUrl (or notification.url) as an http(s) URL');
      body.imgUrl = imgUrl.trim();
      break;
    }
    case 'file': {
      const fileUrl = options.fileUrl ?? n.url;
      if (!isHttpUrl(fileUrl)) invalid('file messages need options.fileUrl (or notification.url) as an http(s) URL');
      if (typeof options.fileName !== 'string' || options.fileName.trim() === '') invalid('file messages need options.fileName', 'The name the chat shows, e.g. report.pdf.');
      body.fileUrl = fileUrl.trim();
      body.fileName = options.fileName.trim();
      break;
    }
    case 'link': {
      const linkUrl = options.linkUrl ?? n.url;
      if (!isHttpUrl(linkUrl)) invalid('link messages need options.linkUrl (or notification.url) as an http(s) URL');
      if (typeof n.title !== 'string' || n.title.trim() === '') invalid('link messages need notification.title');
      body.title = n.title.trim();
      body.desc = options.desc ?? n.summary ?? toPlainText(n.content ?? '', n.format);
      body.linkUrl = linkUrl.trim();
      if (options.thumbUrl !== undefined) {
        if (!isHttpUrl(options.thumbUrl)) invalid('options.thumbUrl must be an http(s) URL');
        body.thumbUrl = options.thumbUrl.trim();
      } else body.thumbUrl = '';
      break;
    }
  }
  return { type, recipients, path: PATHS[type], body };
}
