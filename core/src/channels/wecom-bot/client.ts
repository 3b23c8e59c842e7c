import { createHash } from 'node:crypto';
import { secretKeyHash } from '../../engine/keys';
import type { Pipeline } from '../../engine/pipeline';
import { channelGateBasics, QuotaGate, type QuotaTicket } from '../../engine/quota-gate';
import { resolveQuotas } from '../../engine/quotas';
import type { RateRule } from '../../engine/rate-limiter';
import { toPlainText, withTitle } from '../../engine/render';
import { splitContent } from '../../engine/split';
import type { Notification } from '../../model/notification';
import { isNotifyError, NotifyError, validationError } from '../../model/notify-error';
import { buildResult, SendStats, type SendResult } from '../../model/send-result';
import { encodeMultipart } from '../../transport/multipart';
import type { HttpRequest } from '../../transport/transport';
import type { Channel, ChannelContext, HealthStatus, SendOptions } from '../types';
import type { MediaInput, WeComMediaUpload } from '../wecom-app/client';
import { checkArticles, type WeComNewsArticle } from '../wecom-app/render';
import { weComOutcome, type WeComBody } from '../wecom-app/response';
import { WECOM_BOT_LIMITS as L, WECOM_BOT_QUOTAS, type WeComBotConfig } from './config';
import { weComBotErrors } from './errors';

const CHANNEL = 'wecom-bot';

export type WeComBotMessageType = 'text' | 'markdown' | 'markdown_v2' | 'image' | 'news' | 'file' | 'template_card';
export const WECOM_BOT_MESSAGE_TYPES: readonly WeComBotMessageType[] = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'template_card'];

export interface WeComBotOptions {
  /** text: userids to @ (`@all` for everyone); sent with the first part only. */
  mentionedList?: string[];
  /** text: mobile numbers to @ (`@all` for everyone). */
  mentionedMobileList?: string[];
  /** image: JPG/PNG bytes (or base64), ≤ 2 MB raw. */
  image?: Buffer | string;
  /** news: 1–8 articles (default: one built from title/content/url). */
  articles?: WeComNewsArticle[];
  picurl?: string;
  /** file: bytes to upload with this robot's key first. */
  media?: MediaInput;
  /** file: a media_id from `uploadMedia` of this robot (valid 3 days). */
  mediaId?: string;
  /** template_card: `text_notice` or `news_notice` card, passed through. */
  templateCard?: Record<string, unknown>;
}

export type WeComBotNotification = Notification<never, WeComBotOptions>;

export interface WeComBotChannel extends Channel<WeComBotNotification> {
  uploadMedia(input: MediaInput & { type?: 'file' | 'voice' }): Promise<WeComMediaUpload>;
}

interface BotMessage {
  msgtype: string;
  payload: Record<string, unknown>;
}

/** WeCom group robot client: paced per key (20/min), split at the byte limits, errcode-checked. */
export class WeComBotClient implements WeComBotChannel {
  readonly type = 'wecom-bot';
  private readonly pipeline: Pipeline;
  private readonly base: string;
  private readonly key: string;
  private readonly rate: { key: string; rule: RateRule };
  private readonly timeout: { timeoutMs?: number };
  private readonly gate: QuotaGate<WeComBotNotification>;
  private readonly robotRules: readonly RateRule[];

  constructor(config: WeComBotConfig, ctx: ChannelContext) {
    this.key = config.key;
    this.base = config.baseUrl!;
    this.pipeline = ctx.pipeline(CHANNEL, [config.key]);
    this.timeout = config.timeoutMs ? { timeoutMs: config.timeoutMs } : {};
    // One budget per robot, whatever the number of channel objects; the key itself is not kept in the
    // limiter. The quota gate counts messages on it (windows with 1 s of slack against clock skew);
    // the pipeline only honours the block a 45009 puts on it.
    const hashed = secretKeyHash(config.key, 24);
    this.rate = { key: `wecom-bot:${hashed}`, rule: { limit: Infinity, windowMs: 61_000 } };
    const perMinute = config.perMinute ?? L.messagesPerMinute;
    this.robotRules = resolveQuotas(CHANNEL, WECOM_BOT_QUOTAS, { perRobotPerMinute: { limit: perMinute }, ...config.quotas }).sender;
    this.gate = new QuotaGate<WeComBotNotification>({
      ...channelGateBasics(CHANNEL, ctx, config.onQuota),
      layout: { maxBytes: L.textBytes },
      deliver: (n) => this.deliver(n, this.prepare(n)),
      merged: (text, _first, items) => ({ content: text, format: 'text', options: mergedMentions(items) }),
    });
  }

  validate(notification: WeComBotNotification): void {
    if (!notification || typeof notification !== 'object') throw validationError(CHANNEL, 'INVALID_MESSAGE', 'notification must be an object');
    this.prepare(notification);
  }

  send(notification: WeComBotNotification, sendOptions?: SendOptions): Promise<SendResult> {
    let messages: BotMessage[];
    try {
      if (!notification || typeof notification !== 'object') throw validationError(CHANNEL, 'INVALID_MESSAGE', 'notification must be an object');
      messages = this.prepare(notification);
    } catch (error) {
      return Promise.reject(error);
    }
    const type = messages[0]?.msgtype ?? 'file';
    const ticket: QuotaTicket = { keys: [this.rate.key], rules: this.robotRules, units: Math.max(1, messages.length), group: this.rate.key, mergeable: MERGEABLE.has(type) };
    return this.gate.send(notification, ticket, () => this.deliver(notification, messages, sendOptions?.signal, ticket), sendOptions?.signal);
  }

  /** Sends as it is (budget taken); parts past a window's worth of `ticket` wait for a slot each. */
  private async deliver(notification: WeComBotNotification, prepared: BotMessage[], signal?: AbortSignal, ticket?: QuotaTicket): Promise<SendResult> {
    const stats = new SendStats();
    let messages = prepared;
    const options = notification.options ?? {};
    if (messages.length === 0 && options.media) {
      const media = await this.upload(options.media, 'file', stats, signal);
      messages = [{ msgtype: 'file', payload: { media_id: media.mediaId } }];
    }
    const upfront = ticket ? this.gate.upfront(ticket) : messages.length;
    for (const [index, message] of messages.entries()) {
      if (ticket && index >= upfront) await this.gate.slot(ticket, signal);
      const body = JSON.stringify({ msgtype: message.msgtype, [message.msgtype]: message.payload });
      try {
        await this.call('webhook/send', () => this.post('/cgi-bin/webhook/send', body), stats, true, signal);
      } catch (error) {
        if (!isNotifyError(error)) throw error;
        throw error.withPartial(
          buildResult(CHANNEL, stats, { ok: false, parts: index, details: { failedPart: index + 1, totalParts: messages.length } }),
        );
      }
    }
    return buildResult(CHANNEL, stats, { parts: messages.length });
  }

  /**
   * Checks the key without posting anything visible: uploads a tiny file with upload_media
   * (media is only stored, never shown). 93000 means the key is wrong or the robot is gone.
   */
  async check(): Promise<HealthStatus> {
    try {
      await this.upload({ data: Buffer.from('wxnotify key check'), filename: 'wxnotify-check.txt', contentType: 'text/plain' }, 'file', new SendStats());
      return { ok: true, message: 'robot key ok' };
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      return { ok: false, message: error.message, details: { code: error.code, hint: error.hint } };
    }
  }

  uploadMedia(input: MediaInput & { type?: 'file' | 'voice' }): Promise<WeComMediaUpload> {
    return this.upload(input, input?.type ?? 'file', new SendStats());
  }

  private prepare(n: WeComBotNotification): BotMessage[] {
    const options = n.options ?? {};
    const type = n.type ?? (n.format === 'markdown' ? 'markdown' : 'text');
    switch (type) {
      case 'text': {
        const body = link(withTitle(toPlainText(n.content ?? '', n.format), n.title, 'text'), n.url, (u) => u);
        requireContent(body);
        const mentions: Record<string, string[]> = {};
        if (options.mentionedList?.length) mentions.mentioned_list = stringList(options.mentionedList, 'mentionedList');
        if (options.mentionedMobileList?.length) mentions.mentioned_mobile_list = stringList(options.mentionedMobileList, 'mentionedMobileList');
        return splitContent(body, { max: L.textBytes }).map((content, i) => ({ msgtype: 'text', payload: i === 0 ? { content, ...mentions } : { content } }));
      }
      case 'markdown':
      case 'markdown_v2': {
        const source = n.format === 'html' ? toPlainText(n.content ?? '', 'html') : (n.content ?? '');
        const body = link(withTitle(source, n.title, 'markdown'), n.url, (u) => `[${u}](${u})`);
        requireContent(body);
        return splitContent(body, { max: L.markdownBytes, fences: true }).map((content) => ({ msgtype: type, payload: { content } }));
      }
      case 'image':
        return [{ msgtype: 'image', payload: imagePayload(options.image) }];
      case 'news': {
        const plain = toPlainText(n.content ?? '', n.format);
        const articles = options.articles ?? [{ title: n.title ?? plain.split('\n')[0] ?? '', description: n.summary ?? plain, url: n.url, picurl: options.picurl }];
        return [{ msgtype: 'news', payload: { articles: checkArticles(CHANNEL, articles, false) } }];
      }
      case 'file':
        if (typeof options.mediaId === 'string' && options.mediaId) return [{ msgtype: 'file', payload: { media_id: options.mediaId } }];
        if (!options.media) throw validationError(CHANNEL, 'INVALID_MESSAGE', 'file needs options.media (bytes + filename) or options.mediaId');
        checkMedia(options.media, L.fileBytes);
        return [];
      case 'template_card': {
        const card = options.templateCard;
        if (!card || typeof card !== 'object' || (card.card_type !== 'text_notice' && card.card_type !== 'news_notice')) {
          throw validationError(CHANNEL, 'INVALID_MESSAGE', 'template_card needs options.templateCard with card_type text_notice or news_notice');
        }
        return [{ msgtype: 'template_card', payload: card }];
      }
      default:
        throw validationError(CHANNEL, 'INVALID_MESSAGE', `unknown message type "${String(type)}"`, `Use one of: ${WECOM_BOT_MESSAGE_TYPES.join(', ')}.`);
    }
  }

  private async upload(media: MediaInput, type: 'file' | 'voice', stats: SendStats, signal?: AbortSignal): Promise<WeComMediaUpload> {
    if (type !== 'file' && type !== 'voice') throw validationError(CHANNEL, 'INVALID_MEDIA', 'robot media type must be file or voice');
    checkMedia(media, type === 'voice' ? L.voiceBytes : L.fileBytes);
    const { body, contentType } = encodeMultipart([{ field: 'media', filename: media.filename, contentType: media.contentType, data: media.data }]);
    const reply = await this.call(
      'webhook/upload_media',
      () => ({
        method: 'POST',
        url: `${this.base}/cgi-bin/webhook/upload_media?key=${encodeURIComponent(this.key)}&type=${type}`,
        headers: { 'content-type': contentType },
        body,
        ...this.timeout,
      }),
      stats,
      false,
      signal,
    );
    if (typeof reply.media_id !== 'string' || !reply.media_id) {
      throw new NotifyError({
        channel: CHANNEL,
        code: 'BAD_RESPONSE',
        kind: 'upstream',
        retryable: false,
        operation: 'webhook/upload_media',
        message: 'upload_media answered without a media_id',
        hint: 'The baseUrl did not answer like WeCom; check the baseUrl and any proxy in front of it.',
      });
    }
    return { mediaId: reply.media_id, type: String(reply.type ?? type), createdAt: String(reply.created_at ?? '') };
  }

  private call(operation: string, build: () => HttpRequest, stats: SendStats, paced: boolean, signal?: AbortSignal): Promise<WeComBody> {
    return this.pipeline.call(
      { operation, ...(paced ? { rate: this.rate } : {}), build, parse: (res) => weComOutcome(this.pipeline, operation, res, weComBotErrors) },
      stats,
      signal,
    );
  }

  private post(path: string, body: string): HttpRequest {
    return {
      method: 'POST',
      url: `${this.base}${path}?key=${encodeURIComponent(this.key)}`,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      ...this.timeout,
    };
  }
}

/** Robot messages a merged text can show as items; images, files and cards wait unchanged. */
const MERGEABLE = new Set(['text', 'markdown', 'markdown_v2', 'news']);

/** A merged text @-mentions everyone its items mentioned. */
function mergedMentions(items: readonly WeComBotNotification[]): WeComBotOptions | undefined {
  const users = new Set<string>();
  const mobiles = new Set<string>();
  for (const item of items) {
    for (const id of item.options?.mentionedList ?? []) users.add(id);
    for (const id of item.options?.mentionedMobileList ?? []) mobiles.add(id);
  }
  if (users.size === 0 && mobiles.size === 0) return undefined;
  return { ...(users.size ? { mentionedList: [...users] } : {}), ...(mobiles.size ? { mentionedMobileList: [...mobiles] } : {}) };
}

function link(body: string, url: string | undefined, render: (url: string) => string): string {
  return url && !body.includes(url) ? `${body}\n${render(url)}` : body;
}

function requireContent(body: string): void {
  if (body.trim() === '') throw validationError(CHANNEL, 'EMPTY_CONTENT', 'content is empty', 'Give the notification some content.');
}

function stringList(list: unknown, field: string): string[] {
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw validationError(CHANNEL, 'INVALID_MESSAGE', `options.${field} must be a list of non-empty strings`);
  }
  return list.map((v: string) => v.trim());
}

function checkMedia(media: MediaInput, max: number): void {
  if (!media || !Buffer.isBuffer(media.data)) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media.data must be a Buffer');
  if (typeof media.filename !== 'string' || !media.filename.trim()) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media.filename is required');
  if (media.data.length < L.mediaMinBytes) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media must be larger than 5 bytes');
  if (media.data.length > max) throw validationError(CHANNEL, 'INVALID_MEDIA', `media is over ${max / 1024 / 1024} MB`);
}

/** base64 + MD5 of the raw bytes (not of the base64 text), after checking size and JPG/PNG magic. */
export function imagePayload(image: Buffer | string | undefined): { base64: string; md5: string } {
  if (image === undefined) throw validationError(CHANNEL, 'INVALID_MESSAGE', 'image needs options.image (JPG/PNG bytes or base64)');
  const raw = Buffer.isBuffer(image) ? image : Buffer.from(String(image), 'base64');
  if (raw.length === 0) throw validationError(CHANNEL, 'INVALID_MEDIA', 'image is empty');
  if (raw.length > L.imageBytes) throw validationError(CHANNEL, 'INVALID_MEDIA', 'image is over 2 MB', 'Compress or resize the image.');
  const png = raw.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpg = raw[0] === 0xff && raw[1] === 0xd8 && raw[2] === 0xff;
  if (!png && !jpg) throw validationError(CHANNEL, 'INVALID_MEDIA', 'image must be a JPG or PNG');
  return { base64: raw.toString('base64'), md5: createHash('md5').update(raw).digest('hex') };
}
