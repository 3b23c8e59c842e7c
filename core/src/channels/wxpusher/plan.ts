import { chunk } from '../../engine/concurrency';
import { codePoints, splitContent } from '../../engine/split';
import type { ContentFormat, Notification } from '../../model/notification';
import { validationError } from '../../model/notify-error';
import { asList, uniqueTrimmed } from '../../engine/lists';
import { isSptFormat, type WxPusherConfig, type WxPusherOptions, type WxPusherRecipients } from './config';
import { wxPusherLimits } from './limits';

export type WxPusherNotification = Notification<WxPusherRecipients, WxPusherOptions>;

/** WxPusher contentType: 1 text, 2 HTML (its recommended rendering), 3 Markdown. */
export type WxPusherContentType = 1 | 2 | 3;

const CONTENT_TYPES: Record<ContentFormat, WxPusherContentType> = { text: 1, html: 2, markdown: 3 };

/** One request's recipients: an appToken call (uids and/or topics) or a simple-push call (SPTs). */
export type WxPusherBatch =
  | { kind: 'standard'; uids: string[]; topicIds: number[] }
  | { kind: 'simple'; spts: string[] };

export interface WxPusherPlan {
  /** Content parts, each within the character limit, sent in order. */
  parts: string[];
  contentType: WxPusherContentType;
  summary?: string;
  url?: string;
  verifyPayType?: 0 | 1 | 2;
  /** Recipient batches; every part goes to every batch. */
  batches: WxPusherBatch[];
}

const fail = (code: string, message: string, hint: string): never => {
  throw validationError('wxpusher', code, message, hint);
};

/** Checks a notification against every WxPusher rule and turns it into requests, before any request. */
export function planWxPusherSend(n: WxPusherNotification, config: WxPusherConfig): WxPusherPlan {
  if (typeof n?.content !== 'string' || n.content.trim() === '') {
    fail('EMPTY_CONTENT', 'content is required', 'Give the notification some content.');
  }
  const format = n.format ?? 'text';
  const contentType = CONTENT_TYPES[format];
  if (!contentType) fail('INVALID_FORMAT', `unknown format "${String(format)}"`, 'Use text, html or markdown.');
  const url = checkUrl(n.url);
  const summary = truncateSummary(n.summary ?? n.title);
  const verifyPayType = checkVerifyPayType(n.options?.verifyPayType);
  const batches = planBatches(n.to ?? config.defaultTo, config);
  const body = withTitle(n.content, n.title, format);
  const parts = splitContent(body, { max: wxPusherLimits.contentMaxChars, measure: codePoints, fences: format === 'markdown' });
  return { parts, contentType, summary, url, verifyPayType, batches };
}

/** The title becomes the card summary (unless a summary is given) and the landing page's heading. */
function withTitle(content: string, title: string | undefined, format: ContentFormat): string {
  if (!title) return content;
  if (format === 'html') return `<h3>${escapeHtml(title)}</h3>${content}`;
  if (format === 'markdown') return `## ${title}\n\n${content}`;
  return `${title}\n\n${content}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncateSummary(summary: string | undefined): string | undefined {
  if (summary === undefined || summary === '') return undefined;
  const max = wxPusherLimits.summaryMaxChars;
  if (codePoints(summary) <= max) return summary;
  return `${Array.from(summary).slice(0, max - 1).join('')}…`;
}

function checkUrl(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  const length = codePoints(url);
  if (length > wxPusherLimits.urlMaxChars) {
    fail('URL_TOO_LONG', `url has ${length} characters, WxPusher allows ${wxPusherLimits.urlMaxChars}`, 'Shorten the url (e.g. a short link); it is not cut because a cut url would be broken.');
  }
  if (!/^https?:\/\//i.test(url)) fail('INVALID_URL', 'url must start with http:// or https://', 'Give an absolute http(s) url.');
  return url;
}

function checkVerifyPayType(value: unknown): 0 | 1 | 2 | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (n !== 0 && n !== 1 && n !== 2) fail('INVALID_OPTION', 'verifyPayType must be 0, 1 or 2', '0 everyone, 1 only paid subscribers, 2 only unpaid/expired.');
  return n as 0 | 1 | 2;
}

function planBatches(to: WxPusherRecipients | undefined, config: WxPusherConfig): WxPusherBatch[] {
  const uids = uniqueTrimmed(to?.uids);
  const topicIds = unique(asList(to?.topicIds).map(toTopicId));
  let spts = uniqueTrimmed(to?.spts);
  if (!to) spts = asList(config.spt);
  if (uids.length === 0 && topicIds.length === 0 && spts.length === 0) {
    fail('NO_RECIPIENTS', 'no recipients: give to.uids, to.topicIds or to.spts', 'Name at least one uid, topicId or SPT, or set spt / to in the channel config.');
  }
  const badSpt = spts.findIndex((s) => !isSptFormat(s));
  if (badSpt >= 0) fail('INVALID_RECIPIENT', `to.spts[${badSpt}] must look like SPT_…`, 'Simple-push tokens start with SPT_.');
  if ((uids.length > 0 || topicIds.length > 0) && !config.appToken) {
    fail('MISSING_APP_TOKEN', 'uids and topicIds need an appToken', 'Set appToken (AT_…) in the config, or send to SPTs instead.');
  }
  const batches: WxPusherBatch[] = [];
  // One call carries up to 2,000 uids and up to 5 topics at once: pair the chunks.
  const uidChunks = chunk(uids, wxPusherLimits.uidsPerCall);
  const topicChunks = chunk(topicIds, wxPusherLimits.topicIdsPerCall);
  for (let i = 0; i < Math.max(uidChunks.length, topicChunks.length); i++) {
    batches.push({ kind: 'standard', uids: uidChunks[i] ?? [], topicIds: topicChunks[i] ?? [] });
  }
  for (const group of chunk(spts, wxPusherLimits.sptsPerCall)) batches.push({ kind: 'simple', spts: group });
  return batches;
}

function toTopicId(value: number | string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isSafeInteger(n) || n <= 0) fail('INVALID_RECIPIENT', `topicId "${String(value)}" is not a positive integer`, 'Topic ids are the numbers shown in the WxPusher admin (主题管理).');
  return n;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
