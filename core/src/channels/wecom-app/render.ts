import { escapeHtml, markdownToText, toPlainText, withTitle } from '../../engine/render';
import { splitContent, truncateUtf8, utf8Bytes } from '../../engine/split';
import type { Notification } from '../../model/notification';
import { validationError } from '../../model/notify-error';
import { WECOM_APP_LIMITS as L } from './config';

const CHANNEL = 'wecom-app';
/** Any notification: the renderers only read the shared fields. */
export type AnyNotification = Notification<unknown, unknown>;
const ELLIPSIS = '…';

export { truncateUtf8 };

export interface WeComNewsArticle {
  title: string;
  description?: string;
  url?: string;
  picurl?: string;
  appid?: string;
  pagepath?: string;
}

/** One message body without recipients: `{ msgtype, [msgtype]: payload }`. */
export interface WeComMessage {
  msgtype: string;
  payload: Record<string, unknown>;
}

/** Cuts to at most `max` characters (code points), marking the cut with "…". */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + ELLIPSIS;
}

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

function requireContent(content: string, what: string): void {
  if (content.trim() === '') throw validationError(CHANNEL, 'EMPTY_CONTENT', `${what} is empty`, 'Give the notification some content.');
}

/** Text messages: plain text (markdown/html converted), title first, URL last, split at 2,048 bytes. */
export function renderText(n: AnyNotification): WeComMessage[] {
  const plain = toPlainText(n.content ?? '', n.format);
  const body = withLink(withTitle(plain, n.title, 'text'), n.url, (u) => u);
  requireContent(body, 'content');
  return splitContent(body, { max: L.textBytes }).map((content) => ({ msgtype: 'text', payload: { content } }));
}

/** Markdown messages: title in bold first, fences kept balanced across parts of 2,048 bytes. */
export function renderMarkdown(n: AnyNotification): WeComMessage[] {
  const source = n.format === 'html' ? toPlainText(n.content ?? '', 'html') : (n.content ?? '');
  const body = withLink(withTitle(source, n.title, 'markdown'), n.url, (u) => `[${u}](${u})`);
  requireContent(body, 'content');
  return splitContent(body, { max: L.markdownBytes, fences: true }).map((content) => ({ msgtype: 'markdown', payload: { content } }));
}

function withLink(body: string, url: string | undefined, render: (url: string) => string): string {
  return url && !body.includes(url) ? `${body}\n${render(url)}` : body;
}

/**
 * Text card. WeCom truncates title (128 chars) and description (512 chars): we truncate the same
 * way, visibly. It rejects a missing/oversized URL and a button text over 4 chars: so do we.
 */
export function renderTextcard(n: AnyNotification, btntxt?: string): WeComMessage {
  const plain = toPlainText(n.content ?? '', n.format).trim();
  const title = (n.title ?? firstLine(plain)).trim();
  if (!title) throw validationError(CHANNEL, 'EMPTY_CONTENT', 'textcard needs a title or content');
  const description = n.summary ?? (n.title ? plain : plain.split('\n').slice(1).join('\n').trim()) ?? '';
  const url = n.url ?? '';
  if (!isHttpUrl(url)) throw validationError(CHANNEL, 'INVALID_MESSAGE', 'textcard needs an http(s) url', 'Set notification.url (the card opens it).');
  if (utf8Bytes(url) > L.textcardUrlBytes) throw validationError(CHANNEL, 'INVALID_MESSAGE', `textcard url is over ${L.textcardUrlBytes} bytes`);
  if (btntxt !== undefined && Array.from(btntxt).length > L.textcardButtonChars) {
    throw validationError(CHANNEL, 'INVALID_MESSAGE', `textcard button text is over ${L.textcardButtonChars} characters`);
  }
  return {
    msgtype: 'textcard',
    payload: {
      title: truncateChars(title, L.textcardTitleChars),
      description: truncateChars(description || title, L.textcardDescriptionChars),
      url,
      ...(btntxt ? { btntxt } : {}),
    },
  };
}

/** News: 1–8 articles; titles (128 B) and descriptions (512 B) truncated like WeCom; URLs checked. */
export function renderNews(n: AnyNotification, articles: WeComNewsArticle[] | undefined, picurl?: string): WeComMessage {
  const list =
    articles ??
    [
      {
        title: n.title ?? firstLine(toPlainText(n.content ?? '', n.format)),
        description: n.summary ?? toPlainText(n.content ?? '', n.format),
        url: n.url,
        picurl,
      },
    ];
  return { msgtype: 'news', payload: { articles: checkArticles(CHANNEL, list, true) } };
}

/** Shared with the robot: same article rules, apps additionally allow mini-program links. */
export function checkArticles(channel: string, list: unknown, allowMiniProgram: boolean): WeComNewsArticle[] {
  if (!Array.isArray(list) || list.length < 1 || list.length > L.newsArticlesMax) {
    throw validationError(channel, 'INVALID_MESSAGE', `news needs 1 to ${L.newsArticlesMax} articles`);
  }
  return list.map((raw: unknown, i) => {
    const a = (raw ?? {}) as Partial<WeComNewsArticle>;
    const title = typeof a.title === 'string' ? a.title.trim() : '';
    if (!title) throw validationError(channel, 'INVALID_MESSAGE', `news article ${i + 1} has no title`);
    const hasMiniProgram = allowMiniProgram && !!a.appid && !!a.pagepath;
    if (!hasMiniProgram && !(typeof a.url === 'string' && isHttpUrl(a.url))) {
      throw validationError(channel, 'INVALID_MESSAGE', `news article ${i + 1} needs an http(s) url${allowMiniProgram ? ' (or appid + pagepath)' : ''}`);
    }
    for (const field of ['url', 'picurl'] as const) {
      const value = a[field];
      if (value !== undefined && (typeof value !== 'string' || utf8Bytes(value) > L.newsUrlBytes)) {
        throw validationError(channel, 'INVALID_MESSAGE', `news article ${i + 1} ${field} is not a string of at most ${L.newsUrlBytes} bytes`);
      }
    }
    const out: WeComNewsArticle = { title: truncateUtf8(title, L.newsTitleBytes) };
    if (a.description) out.description = truncateUtf8(String(a.description), L.newsDescriptionBytes);
    if (a.url) out.url = a.url;
    if (a.picurl) out.picurl = a.picurl;
    if (hasMiniProgram) {
      out.appid = a.appid;
      out.pagepath = a.pagepath;
    }
    return out;
  });
}

/** A video message: the uploaded media plus title (128 B) and description (512 B), truncated like WeCom. */
export function renderVideo(n: AnyNotification, mediaId: string): WeComMessage {
  const description = toPlainText(n.content ?? '', n.format).trim();
  return {
    msgtype: 'video',
    payload: {
      media_id: mediaId,
      ...(n.title ? { title: truncateUtf8(n.title.trim(), L.videoTitleBytes) } : {}),
      ...(description ? { description: truncateUtf8(description, L.videoDescriptionBytes) } : {}),
    },
  };
}

/** An mpnews article before its thumbnail is uploaded. */
export interface WeComMpnewsDraft {
  title: string;
  content: string;
  author?: string;
  content_source_url?: string;
  digest?: string;
}

/**
 * mpnews: a rich article stored by WeCom (HTML up to 666 KB, never split), for reports too long
 * for a text message. HTML content is kept; text and markdown are shown as escaped text.
 */
export function renderMpnewsDraft(n: AnyNotification, author?: string): WeComMpnewsDraft {
  const source = n.content ?? '';
  const plain = toPlainText(source, n.format).trim();
  const title = (n.title ?? firstLine(plain)).trim();
  if (!title) throw validationError(CHANNEL, 'EMPTY_CONTENT', 'mpnews needs a title or content');
  const content = n.format === 'html' ? source : escapeHtml(plain).replace(/\n/g, '<br>');
  requireContent(content, 'mpnews content');
  if (utf8Bytes(content) > L.mpnewsContentBytes) {
    throw validationError(CHANNEL, 'CONTENT_TOO_LONG', `mpnews content is over ${L.mpnewsContentBytes} bytes`, 'Shorten the article or link to the full report with notification.url.');
  }
  if (n.url !== undefined && !isHttpUrl(n.url)) throw validationError(CHANNEL, 'INVALID_MESSAGE', 'mpnews url must be an http(s) URL');
  return {
    title: truncateUtf8(title, L.newsTitleBytes),
    content,
    ...(author ? { author: truncateUtf8(author.trim(), L.mpnewsAuthorBytes) } : {}),
    ...(n.url ? { content_source_url: n.url } : {}),
    ...(n.summary ? { digest: truncateUtf8(n.summary.trim(), L.mpnewsDigestBytes) } : {}),
  };
}

/** Markdown content as a plain-text notification (for the `text` / `textcard` fallbacks). */
export function asPlainNotification(n: AnyNotification): AnyNotification {
  return { ...n, content: markdownToText(n.content ?? ''), format: 'text' };
}
