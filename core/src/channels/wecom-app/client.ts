import { secretKeyHash } from '../../engine/keys';
import { mapLimit, mapSettled } from '../../engine/concurrency';
import type { CallSpec, Outcome, Pipeline, TokenSource } from '../../engine/pipeline';
import { channelGateBasics, QuotaGate, type QuotaTicket } from '../../engine/quota-gate';
import { resolveQuotas } from '../../engine/quotas';
import type { RateRule } from '../../engine/rate-limiter';
import type { FetchedToken } from '../../engine/token-cache';
import type { Notification } from '../../model/notification';
import { isNotifyError, NotifyError, validationError } from '../../model/notify-error';
import { buildResult, SendStats, type PartialFailure, type SendResult } from '../../model/send-result';
import { encodeMultipart } from '../../transport/multipart';
import type { HttpRequest, HttpResponse } from '../../transport/transport';
import type { Channel, ChannelContext, HealthStatus, SendOptions } from '../types';
import { WECOM_APP_LIMITS as L, WECOM_APP_QUOTAS, type MarkdownFallback, type WeComAppConfig } from './config';
import { weComAppErrors, weComGetTokenErrors } from './errors';
import { CardLedger } from './card-ledger';
import { cardUpdateOutcomeUnknown, templateCardUpdateBody, weComCardUpdateErrors, type TemplateCardUpdate, type TemplateCardUpdateResult } from './card-update';
import { isInteractiveCard, validateTemplateCard, type WeComTemplateCard } from './cards';
import { batchRecipients, type RecipientBatch, type WeComAppRecipients } from './recipients';
import {
  asPlainNotification,
  renderMarkdown,
  renderMpnewsDraft,
  renderNews,
  renderText,
  renderTextcard,
  renderVideo,
  type WeComMessage,
  type WeComNewsArticle,
} from './render';
import { splitBar, weComOutcome, type WeComBody } from './response';

const CHANNEL = 'wecom-app';
/** Shared by every JSON request (transports copy headers; nobody mutates this). */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json; charset=utf-8' });

export type WeComAppMessageType = 'text' | 'markdown' | 'textcard' | 'news' | 'mpnews' | 'image' | 'file' | 'voice' | 'video' | 'template_card';
export const WECOM_APP_MESSAGE_TYPES: readonly WeComAppMessageType[] = ['text', 'markdown', 'textcard', 'news', 'mpnews', 'image', 'file', 'voice', 'video', 'template_card'];
export type WeComMediaType = 'image' | 'voice' | 'video' | 'file';

/** A file to upload: the bytes and the name WeCom shows. */
export interface MediaInput {
  data: Buffer;
  filename: string;
  contentType?: string;
}

export interface WeComAppOptions {
  /** Overrides the config's `markdownFallback` for this message. */
  markdownFallback?: MarkdownFallback;
  /** textcard button text (≤ 4 characters, default 详情). */
  btntxt?: string;
  /** news: the articles (default: one article built from title/content/url). */
  articles?: WeComNewsArticle[];
  /** news: picture of the default article. */
  picurl?: string;
  /** image/file/voice/video: bytes to upload first (voice: AMR up to 2 MB; video: MP4 up to 10 MB). */
  media?: MediaInput;
  /** image/file/voice/video: an existing media_id (from `uploadMedia`, valid 3 days). */
  mediaId?: string;
  /** mpnews: the article's cover image, uploaded first... */
  thumb?: MediaInput;
  /** ...or an image media_id already uploaded. */
  thumbMediaId?: string;
  /** mpnews: the author line (up to 64 bytes). */
  author?: string;
  /** template_card: the card object as WeCom documents it (interactive cards: see `buttonCard` and `sendCard`). */
  templateCard?: Record<string, unknown>;
  /** 1 = no sharing + watermark. */
  safe?: 0 | 1;
  enableIdTrans?: boolean;
  /** false turns WeCom's duplicate check off for this message; a number sets its window (s). */
  duplicateCheck?: boolean | number;
}

export type WeComAppNotification = Notification<WeComAppRecipients, WeComAppOptions>;

export interface WeComMediaUpload {
  mediaId: string;
  type: string;
  createdAt: string;
}

export interface WeComDepartment {
  id: number;
  name: string;
  parentId: number;
  order?: number;
}

export interface WeComTag {
  id: number;
  name: string;
}

export interface WeComUser {
  userId: string;
  name: string;
  departments: number[];
}

/** What an interactive card send returns: the task id clicks will carry and the first response code. */
export interface CardSendResult {
  taskId: string;
  /** For one `updateTemplateCard` within 72 h (absent if WeCom sent none, e.g. no callback URL configured). */
  responseCode?: string;
  /** When the code was issued (ms, this process's clock). */
  issuedAt: number;
  msgid?: string;
  result: SendResult;
}

export interface WeComAppChannel extends Channel<WeComAppNotification> {
  /**
   * Sends an interactive card (`buttonCard`, `voteCard`, `multipleCard`) to one batch of recipients
   * (≤ 1000 users, 100 parties, 100 tags: a task id cannot be sent twice). Clicks arrive at the app's
   * callback URL; parse them with `TemplateCardInbox` (wecom-callback).
   */
  sendCard(card: WeComTemplateCard, to?: WeComAppRecipients, options?: Omit<WeComAppOptions, 'templateCard'>): Promise<CardSendResult>;
  /**
   * message/update_template_card: replaces the buttons with a result line (`replaceButton`) or the
   * whole card (`card`) for every recipient (default) or some. A spent or 72 h old response code
   * fails before the request with `CARD_RESPONSE_CODE_USED` / `CARD_RESPONSE_CODE_EXPIRED`. An
   * update that got no answer (timeout, reset, 5xx) is not replayed with its single-use code: it
   * fails with `UPDATE_OUTCOME_UNKNOWN` (`deliveryUnknown`, not retryable); the card may have changed.
   */
  updateTemplateCard(update: TemplateCardUpdate): Promise<TemplateCardUpdateResult>;
  /** Recalls a message sent in the last 24 h (the WeCom client copy; WeChat-plugin copies stay). */
  recall(msgid: string): Promise<void>;
  uploadMedia(input: MediaInput & { type?: WeComMediaType }): Promise<WeComMediaUpload>;
  /** Departments in the app's visible range (optionally the subtree under `id`). */
  listDepartments(id?: number | string): Promise<WeComDepartment[]>;
  /** Members of one department (for recipient pickers). */
  listUsers(departmentId: number | string): Promise<WeComUser[]>;
  /** Tags of the corp (tag/list; an app sees the tags it created or has in its visible range). */
  listTags(): Promise<WeComTag[]>;
  /**
   * Everyone in the app's visible range: one department/list call, then the members of each
   * department, `concurrency` (default 8) at a time. Each user once, with all their departments.
   */
  listVisibleUsers(options?: { concurrency?: number }): Promise<WeComUser[]>;
  /** Members of these departments, `concurrency` (default 8) at a time; each user once, with all their departments. */
  listMembers(departmentIds: ReadonlyArray<number | string>, options?: { concurrency?: number }): Promise<WeComUser[]>;
}

const MEDIA_MAX: Record<WeComMediaType, number> = { image: L.imageBytes, voice: L.voiceBytes, video: L.videoBytes, file: L.fileBytes };
const PARTIAL_FIELDS = [
  ['invaliduser', 'user', 'invalid'],
  ['invalidparty', 'party', 'invalid'],
  ['invalidtag', 'tag', 'invalid'],
  ['unlicenseduser', 'user', 'unlicensed'],
] as const;

/** Media to upload before the message can be built from its media_id. */
interface PendingUpload {
  media: MediaInput;
  type: WeComMediaType;
  message(mediaId: string): WeComMessage;
}

interface BatchOutcome {
  msgid?: string;
  partialFailures: PartialFailure[];
}

/** WeCom self-built app client: token single flight, batching, splitting, retries, partial results. */
export class WeComAppClient implements WeComAppChannel {
  readonly type = 'wecom-app';
  private readonly pipeline: Pipeline;
  private readonly token: TokenSource;
  private readonly rate: NonNullable<CallSpec<unknown>['rate']>;
  private readonly base: string;
  private readonly agentId: number;
  private readonly timeout: { timeoutMs?: number };
  private defaultCommon?: CommonFields;
  private readonly gate: QuotaGate<WeComAppNotification>;
  private readonly memberRules: readonly RateRule[];
  private readonly budgetPrefix: string;
  private lastToken?: { raw: string | undefined; encoded: string };
  private readonly parsers = new Map<string, (res: HttpResponse) => Outcome<WeComBody>>();
  private readonly cards: CardLedger;

  constructor(
    private readonly config: WeComAppConfig,
    ctx: ChannelContext,
  ) {
    this.pipeline = ctx.pipeline(CHANNEL, [config.corpSecret]);
    this.base = config.baseUrl!;
    this.agentId = Number(config.agentId);
    this.timeout = config.timeoutMs ? { timeoutMs: config.timeoutMs } : {};
    this.cards = new CardLedger(ctx.clock);
    // The key never holds the raw secret; the secret's hash keeps two apps with one agentId apart.
    const tokenKey = `wecom-app:${secretKeyHash(`${this.base}\n${config.corpId}\n${this.agentId}\n${config.corpSecret}`, 24)}`;
    const fetch = (signal?: AbortSignal): Promise<FetchedToken> => this.fetchToken(signal);
    // Every send resolves the token; register it with the redactor only when it changes.
    let remembered: string | undefined;
    const remember = (token: string): string => {
      if (token !== remembered) {
        this.pipeline.deps.redactor.add(token);
        remembered = token;
      }
      return token;
    };
    this.token = {
      peek: () => {
        const token = ctx.tokens.peek(tokenKey);
        return token === undefined ? undefined : remember(token);
      },
      get: (signal) => ctx.tokens.get(tokenKey, fetch, signal).then(remember),
      refresh: (failed, signal) => ctx.tokens.refresh(tokenKey, failed, fetch, signal).then(remember),
    };
    // No pacing for apps, but a 45009 holds every call of this app until its window ends.
    this.rate = { key: tokenKey, rule: { limit: Infinity, windowMs: 60_000 } };
    this.memberRules = resolveQuotas(CHANNEL, WECOM_APP_QUOTAS, config.quotas).recipient;
    this.budgetPrefix = `${tokenKey}:to:`;
    this.gate = new QuotaGate<WeComAppNotification>({
      ...channelGateBasics(CHANNEL, ctx, config.onQuota),
      layout: { maxBytes: L.textBytes },
      deliver: (n) => this.deliver(n),
      merged: (text, first) => ({ content: text, format: 'text', to: first.to ?? this.config.defaultTo, ...(first.options?.safe === 1 ? { options: { safe: 1 } } : {}) }),
    });
  }

  validate(notification: WeComAppNotification): void {
    if (!notification || typeof notification !== 'object') throw validationError(CHANNEL, 'INVALID_MESSAGE', 'notification must be an object');
    batchRecipients(notification.to ?? this.config.defaultTo, L);
    this.prepare(notification);
    this.common(notification.options);
  }

  send(notification: WeComAppNotification, options?: SendOptions): Promise<SendResult> {
    return this.sendChecked(notification, true, options?.signal);
  }

  /** A send whose quota budget is already taken (the gate's own deliveries). */
  private deliver(notification: WeComAppNotification): Promise<SendResult> {
    return this.sendChecked(notification, false, undefined);
  }

  private sendChecked(notification: WeComAppNotification, gated: boolean, signal: AbortSignal | undefined): Promise<SendResult> {
    let batches: RecipientBatch[];
    let prepared: ReturnType<WeComAppClient['prepare']>;
    let common: CommonFields;
    try {
      if (!notification || typeof notification !== 'object') throw validationError(CHANNEL, 'INVALID_MESSAGE', 'notification must be an object');
      batches = batchRecipients(notification.to ?? this.config.defaultTo, L);
      prepared = this.prepare(notification);
      common = this.common(notification.options);
      if (prepared.taskId !== undefined) this.reserveTask(prepared.taskId, batches.length);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!gated) return this.dispatch(batches, prepared, common, signal);
    const ticket = this.ticket(notification, batches, prepared);
    return this.gate.send(notification, ticket, () => this.dispatch(batches, prepared, common, signal, ticket), signal);
  }

  /** One unit per content part from the budget of each member (and of each party, tag or @all as one key). */
  private ticket(n: WeComAppNotification, batches: RecipientBatch[], prepared: ReturnType<WeComAppClient['prepare']>): QuotaTicket {
    const prefix = this.budgetPrefix;
    let keys: string[];
    const only = batches.length === 1 ? batches[0] : undefined;
    if (only && only.toparty === undefined && only.totag === undefined && only.touser !== undefined && !only.touser.includes('|')) {
      keys = [prefix + only.touser.toLowerCase()];
    } else {
      keys = [];
      for (const batch of batches) {
        for (const id of splitBar(batch.touser)) keys.push(id === '@all' ? `${prefix}@all` : prefix + id.toLowerCase());
        for (const id of splitBar(batch.toparty)) keys.push(`${prefix}party:${id}`);
        for (const id of splitBar(batch.totag)) keys.push(`${prefix}tag:${id}`);
      }
    }
    const msgtype = prepared.upload ? prepared.upload.type : prepared.messages[0].msgtype;
    const group = n.options?.safe === 1 ? `${keys.join(',')}|safe` : keys.length === 1 ? keys[0] : keys.join(',');
    return { keys, rules: this.memberRules, units: prepared.upload ? 1 : prepared.messages.length, group, mergeable: MERGEABLE.has(msgtype) };
  }

  private dispatch(batches: RecipientBatch[], prepared: ReturnType<WeComAppClient['prepare']>, common: CommonFields, signal: AbortSignal | undefined, ticket?: QuotaTicket): Promise<SendResult> {
    // The common case (one part, one call) is a plain promise chain: no async frames held while
    // the request is on the wire.
    if (!prepared.upload && prepared.messages.length === 1 && batches.length === 1) {
      const stats = new SendStats();
      const body = recipientsHead(batches[0]) + messageTail(prepared.messages[0], common.json);
      return this.call('message/send', (token) => this.post('/cgi-bin/message/send', token, body), stats, {
        map: (reply) => {
          const { msgid, partialFailures } = batchOutcome(reply);
          const details = prepared.taskId === undefined ? undefined : this.cardSent(prepared.taskId, reply);
          return buildResult(CHANNEL, stats, { messageIds: msgid ? [msgid] : [], parts: 1, batches: 1, partialFailures, details, duplicateCheckSeconds: common.interval });
        },
        finalError: (failure) => this.failedSend(failure, stats, { part: 0, parts: 1, batches: 1, delivered: 0, messageIds: [], partialFailures: [] }),
      }, signal);
    }
    return this.sendAll(batches, prepared, common, signal, ticket);
  }

  /** Parts past a window's worth of the members' budget (`ticket`) wait for a slot each. */
  private async sendAll(batches: RecipientBatch[], prepared: ReturnType<WeComAppClient['prepare']>, common: CommonFields, signal: AbortSignal | undefined, ticket?: QuotaTicket): Promise<SendResult> {
    const stats = new SendStats();
    let messages = prepared.messages;
    if (prepared.upload) {
      const media = await this.upload(prepared.upload.media, prepared.upload.type, stats, signal);
      messages = [prepared.upload.message(media.mediaId)];
    }
    const messageIds: string[] = [];
    const partialFailures: PartialFailure[] = [];
    const upfront = ticket ? this.gate.upfront(ticket) : messages.length;
    for (let index = 0; index < messages.length; index++) {
      if (ticket && index >= upfront) await this.gate.slot(ticket, signal);
      // The message and the common fields are serialized once; only recipients differ per batch.
      const tail = messageTail(messages[index], common.json);
      const settled = await mapSettled(batches, this.config.concurrency ?? 4, (batch: RecipientBatch) => this.sendBatch(batch, tail, stats, signal).then(batchOutcome));
      let failure: unknown;
      let delivered = 0;
      for (const outcome of settled) {
        if (outcome.status === 'rejected') {
          failure ??= outcome.reason;
          continue;
        }
        delivered++;
        if (outcome.value.msgid) messageIds.push(outcome.value.msgid);
        partialFailures.push(...outcome.value.partialFailures);
      }
      if (failure !== undefined) {
        throw this.failedSend(failure, stats, { part: index, parts: messages.length, batches: batches.length, delivered, messageIds, partialFailures });
      }
    }
    return buildResult(CHANNEL, stats, { messageIds, parts: messages.length, batches: batches.length, partialFailures, duplicateCheckSeconds: common.interval });
  }

  /** The error of a send that failed part-way, carrying what was delivered before it. */
  private failedSend(
    failure: unknown,
    stats: SendStats,
    at: { part: number; parts: number; batches: number; delivered: number; messageIds: string[]; partialFailures: PartialFailure[] },
  ): unknown {
    if (!isNotifyError(failure)) return failure;
    return failure.withPartial(
      buildResult(CHANNEL, stats, {
        ok: false,
        messageIds: at.messageIds,
        parts: at.part,
        batches: at.batches,
        partialFailures: at.partialFailures,
        details: { failedPart: at.part + 1, totalParts: at.parts, deliveredBatchesOfFailedPart: at.delivered },
      }),
    );
  }

  async sendCard(card: WeComTemplateCard, to?: WeComAppRecipients, options?: Omit<WeComAppOptions, 'templateCard'>): Promise<CardSendResult> {
    if (!card || !isInteractiveCard(card)) {
      throw validationError(CHANNEL, 'INVALID_CARD', 'sendCard needs an interactive card (button_interaction, vote_interaction or multiple_interaction)', 'Build it with buttonCard, voteCard or multipleCard.');
    }
    const result = await this.send({ content: '', type: 'template_card', to, options: { ...options, templateCard: card } });
    const sent = result.details as { taskId: string; responseCode?: string; issuedAt: number };
    return { ...sent, ...(result.messageIds[0] ? { msgid: result.messageIds[0] } : {}), result };
  }

  updateTemplateCard(update: TemplateCardUpdate): Promise<TemplateCardUpdateResult> {
    let body: string;
    try {
      body = templateCardUpdateBody(update, this.agentId);
      this.cards.claim(update.responseCode, update.issuedAt);
    } catch (error) {
      return Promise.reject(error);
    }
    const operation = 'message/update_template_card';
    return this.pipeline
      .call(
        {
          operation,
          rate: this.rate,
          token: this.token,
          build: (token) => this.post('/cgi-bin/message/update_template_card', token, body),
          parse: (res) => weComOutcome(this.pipeline, operation, res, weComCardUpdateErrors),
          // The code is single-use: an attempt that may have reached WeCom is never replayed.
          unknownOutcome: cardUpdateOutcomeUnknown,
        },
        new SendStats(),
      )
      .then(
        (reply) => ({ invalidUsers: Array.isArray(reply.invaliduser) ? reply.invaliduser.map(String) : splitBar(reply.invaliduser) }),
        (error: unknown) => {
          // Unless the update may have reached WeCom, the code was not spent there and may be tried again.
          if (isNotifyError(error) && error.deliveryUnknown !== true) this.cards.release(update.responseCode);
          throw error;
        },
      );
  }

  /** Interactive cards: one batch only (the task id cannot be sent twice), and a task id never sent before. */
  private reserveTask(taskId: string, batches: number): void {
    if (batches > 1) {
      throw validationError(
        CHANNEL,
        'INVALID_RECIPIENTS',
        'an interactive card goes out in one call: at most 1000 users, 100 parties and 100 tags',
        '互动卡片只能一次发送（task_id 不能重复）：收件人请用部门或标签。 / Use parties or tags for large audiences.',
      );
    }
    this.cards.useTaskId(taskId);
  }

  private cardSent(taskId: string, reply: WeComBody): { taskId: string; responseCode?: string; issuedAt: number } {
    const issuedAt = this.pipeline.deps.clock.now();
    const code = typeof reply.response_code === 'string' && reply.response_code !== '' ? reply.response_code : undefined;
    if (code) this.cards.issued(code, issuedAt);
    return { taskId, ...(code ? { responseCode: code } : {}), issuedAt };
  }

  async check(): Promise<HealthStatus> {
    try {
      await this.fetchToken();
      return { ok: true, message: 'token ok' };
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      return { ok: false, message: error.message, details: { code: error.code, hint: error.hint, fromIp: error.fromIp } };
    }
  }

  async recall(msgid: string): Promise<void> {
    if (typeof msgid !== 'string' || msgid.trim() === '') throw validationError(CHANNEL, 'INVALID_MESSAGE', 'recall needs a msgid');
    const body = JSON.stringify({ msgid: msgid.trim() });
    await this.call('message/recall', (token) => this.post('/cgi-bin/message/recall', token, body), new SendStats());
  }

  uploadMedia(input: MediaInput & { type?: WeComMediaType }): Promise<WeComMediaUpload> {
    const type = input?.type ?? 'file';
    return this.upload(input, type, new SendStats());
  }

  async listDepartments(id?: number | string): Promise<WeComDepartment[]> {
    const query = id === undefined || id === '' ? '' : `&id=${encodeURIComponent(String(id))}`;
    const body = await this.call('department/list', (token) => this.get('/cgi-bin/department/list', token, query), new SendStats());
    const list = Array.isArray(body.department) ? (body.department as Array<Record<string, unknown>>) : [];
    return list.map((d) => ({ id: Number(d.id), name: String(d.name ?? ''), parentId: Number(d.parentid ?? 0), ...(d.order !== undefined ? { order: Number(d.order) } : {}) }));
  }

  async listTags(): Promise<WeComTag[]> {
    const body = await this.call('tag/list', (token) => this.get('/cgi-bin/tag/list', token, ''), new SendStats());
    const list = Array.isArray(body.taglist) ? (body.taglist as Array<Record<string, unknown>>) : [];
    return list.map((t) => ({ id: Number(t.tagid), name: String(t.tagname ?? '') }));
  }

  async listUsers(departmentId: number | string): Promise<WeComUser[]> {
    if (departmentId === undefined || departmentId === null || !/^\d+$/.test(String(departmentId))) {
      throw validationError(CHANNEL, 'INVALID_REQUEST', 'listUsers needs a numeric department id');
    }
    const query = `&department_id=${encodeURIComponent(String(departmentId))}`;
    const body = await this.call('user/simplelist', (token) => this.get('/cgi-bin/user/simplelist', token, query), new SendStats());
    const list = Array.isArray(body.userlist) ? (body.userlist as Array<Record<string, unknown>>) : [];
    return list.map((u) => ({
      userId: String(u.userid ?? ''),
      name: String(u.name ?? ''),
      departments: Array.isArray(u.department) ? u.department.map(Number) : [],
    }));
  }

  async listVisibleUsers(options: { concurrency?: number } = {}): Promise<WeComUser[]> {
    return this.listMembers((await this.listDepartments()).map((d) => d.id), options);
  }

  async listMembers(departmentIds: ReadonlyArray<number | string>, options: { concurrency?: number } = {}): Promise<WeComUser[]> {
    const members = await mapLimit(departmentIds, Math.max(1, options.concurrency ?? 8), (id) => this.listUsers(id));
    const users = new Map<string, WeComUser>();
    for (const user of members.flat()) {
      const known = users.get(user.userId);
      if (!known) users.set(user.userId, { ...user, departments: [...user.departments] });
      else for (const id of user.departments) if (!known.departments.includes(id)) known.departments.push(id);
    }
    return [...users.values()];
  }

  private prepare(n: WeComAppNotification): { messages: WeComMessage[]; upload?: PendingUpload; taskId?: string } {
    const options = n.options ?? {};
    const type = n.type ?? (n.format === 'markdown' ? 'markdown' : 'text');
    switch (type) {
      case 'text':
        return { messages: renderText(n) };
      case 'markdown': {
        const fallback = options.markdownFallback ?? this.config.markdownFallback ?? 'none';
        if (fallback === 'none') return { messages: renderMarkdown(n) };
        // A text card needs a link to open; without one the readable fallback is plain text.
        if (fallback === 'textcard' && n.url) return { messages: [renderTextcard(asPlainNotification(n), options.btntxt)] };
        return { messages: renderText(asPlainNotification(n)) };
      }
      case 'textcard':
        return { messages: [renderTextcard(n, options.btntxt)] };
      case 'news':
        return { messages: [renderNews(n, options.articles, options.picurl)] };
      case 'image':
      case 'file':
      case 'voice':
      case 'video': {
        const message = (mediaId: string): WeComMessage => (type === 'video' ? renderVideo(n, mediaId) : { msgtype: type, payload: { media_id: mediaId } });
        if (typeof options.mediaId === 'string' && options.mediaId !== '') return { messages: [message(options.mediaId)] };
        if (!options.media) throw validationError(CHANNEL, 'INVALID_MESSAGE', `${type} needs options.media (bytes + filename) or options.mediaId`);
        this.checkMedia(options.media, type);
        return { messages: [], upload: { media: options.media, type, message } };
      }
      case 'mpnews': {
        const draft = renderMpnewsDraft(n, options.author);
        const message = (thumbMediaId: string): WeComMessage => ({ msgtype: 'mpnews', payload: { articles: [{ ...draft, thumb_media_id: thumbMediaId }] } });
        if (typeof options.thumbMediaId === 'string' && options.thumbMediaId !== '') return { messages: [message(options.thumbMediaId)] };
        if (!options.thumb) throw validationError(CHANNEL, 'INVALID_MESSAGE', 'mpnews needs a cover image: options.thumb (bytes + filename) or options.thumbMediaId');
        this.checkMedia(options.thumb, 'image');
        return { messages: [], upload: { media: options.thumb, type: 'image', message } };
      }
      case 'template_card': {
        const card = options.templateCard;
        if (!card || typeof card !== 'object' || typeof card.card_type !== 'string') {
          throw validationError(CHANNEL, 'INVALID_MESSAGE', 'template_card needs options.templateCard with a card_type');
        }
        validateTemplateCard(card);
        return { messages: [{ msgtype: 'template_card', payload: card }], ...(isInteractiveCard(card) ? { taskId: card.task_id } : {}) };
      }
      default:
        throw validationError(CHANNEL, 'INVALID_MESSAGE', `unknown message type "${String(type)}"`, `Use one of: ${WECOM_APP_MESSAGE_TYPES.join(', ')}.`);
    }
  }

  /** The fields every message body ends with, as JSON without braces (cached for the defaults). */
  private common(options: WeComAppOptions | undefined): CommonFields {
    if (options === undefined || (options.safe === undefined && options.enableIdTrans === undefined && options.duplicateCheck === undefined)) {
      return (this.defaultCommon ??= commonOf(this.commonFields({})));
    }
    return commonOf(this.commonFields(options));
  }

  private commonFields(options: WeComAppOptions): Record<string, number> {
    const fields: Record<string, number> = { agentid: this.agentId };
    if (options.safe === 1) fields.safe = 1;
    if (options.enableIdTrans) fields.enable_id_trans = 1;
    const interval = options.duplicateCheck === false ? 0 : typeof options.duplicateCheck === 'number' ? options.duplicateCheck : this.config.duplicateCheckIntervalSeconds ?? L.duplicateCheckDefaultSeconds;
    if (!Number.isInteger(interval) || interval < 0 || interval > L.duplicateCheckMaxSeconds) {
      throw validationError(CHANNEL, 'INVALID_MESSAGE', 'options.duplicateCheck must be false or 1..14400 seconds');
    }
    if (interval > 0) {
      fields.enable_duplicate_check = 1;
      fields.duplicate_check_interval = interval;
    }
    return fields;
  }

  /** `tail` is the rest of the JSON body after the recipients: `"msgtype":…,"<type>":{…},"agentid":…}`. */
  private sendBatch(batch: RecipientBatch, tail: string, stats: SendStats, signal: AbortSignal | undefined): Promise<WeComBody> {
    const body = recipientsHead(batch) + tail;
    return this.call('message/send', (token) => this.post('/cgi-bin/message/send', token, body), stats, undefined, signal);
  }

  private checkMedia(media: MediaInput, type: WeComMediaType): void {
    if (!media || !Buffer.isBuffer(media.data)) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media.data must be a Buffer');
    if (typeof media.filename !== 'string' || media.filename.trim() === '') throw validationError(CHANNEL, 'INVALID_MEDIA', 'media.filename is required (WeCom shows it)');
    if (media.data.length < L.mediaMinBytes) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media must be larger than 5 bytes');
    const max = MEDIA_MAX[type];
    if (media.data.length > max) throw validationError(CHANNEL, 'INVALID_MEDIA', `${type} is over ${max / 1024 / 1024} MB`);
  }

  private async upload(media: MediaInput, type: WeComMediaType, stats: SendStats, signal?: AbortSignal): Promise<WeComMediaUpload> {
    if (!(type in MEDIA_MAX)) throw validationError(CHANNEL, 'INVALID_MEDIA', 'media type must be image, voice, video or file');
    this.checkMedia(media, type);
    const { body, contentType } = encodeMultipart([{ field: 'media', filename: media.filename, contentType: media.contentType, data: media.data }]);
    const reply = await this.call(
      'media/upload',
      (token) => ({
        method: 'POST',
        url: `${this.base}/cgi-bin/media/upload?access_token=${this.encodedToken(token)}&type=${type}`,
        headers: { 'content-type': contentType },
        body,
        ...this.timeout,
      }),
      stats,
      undefined,
      signal,
    );
    if (typeof reply.media_id !== 'string' || !reply.media_id) throw this.badReply('media/upload', 'no media_id in the answer');
    return { mediaId: reply.media_id, type: String(reply.type ?? type), createdAt: String(reply.created_at ?? '') };
  }

  /**
   * One WeCom call through the pipeline. `then` turns the answer into the final value inside the
   * pipeline's own promise (no extra hop) and shapes the error the call gives up with.
   */
  private call(operation: string, build: (token: string | undefined) => HttpRequest, stats: SendStats, then?: undefined, signal?: AbortSignal): Promise<WeComBody>;
  private call<T>(
    operation: string,
    build: (token: string | undefined) => HttpRequest,
    stats: SendStats,
    then: { map(reply: WeComBody): T; finalError(failure: unknown): unknown },
    signal?: AbortSignal,
  ): Promise<T>;
  private call<T>(
    operation: string,
    build: (token: string | undefined) => HttpRequest,
    stats: SendStats,
    then?: { map(reply: WeComBody): T; finalError(failure: unknown): unknown },
    signal?: AbortSignal,
  ): Promise<T | WeComBody> {
    const parse = this.parser(operation);
    // Object literals, not spreads: spread copies give the pipeline's hot path other object
    // shapes and cost about 2 µs per send (measured in memory).
    if (!then) return this.pipeline.call({ operation, rate: this.rate, token: this.token, build, parse }, stats, signal);
    return this.pipeline.call<T>(
      {
        operation,
        rate: this.rate,
        token: this.token,
        build,
        parse: (res) => {
          const outcome = parse(res);
          return outcome.kind === 'ok' ? { kind: 'ok', value: then.map(outcome.value) } : outcome;
        },
        finalError: then.finalError,
      },
      stats,
      signal,
    );
  }

  private parser(operation: string): (res: HttpResponse) => Outcome<WeComBody> {
    let parse = this.parsers.get(operation);
    if (!parse) {
      parse = (res) => weComOutcome(this.pipeline, operation, res, weComAppErrors);
      this.parsers.set(operation, parse);
    }
    return parse;
  }

  private post(path: string, token: string | undefined, body: string): HttpRequest {
    return {
      method: 'POST',
      url: `${this.base}${path}?access_token=${this.encodedToken(token)}`,
      headers: JSON_HEADERS,
      body,
      ...this.timeout,
    };
  }

  private get(path: string, token: string | undefined, query: string): HttpRequest {
    return { method: 'GET', url: `${this.base}${path}?access_token=${this.encodedToken(token)}${query}`, ...this.timeout };
  }

  /** The token for a query string, encoded once per token rather than once per request. */
  private encodedToken(token: string | undefined): string {
    if (!this.lastToken || token !== this.lastToken.raw) this.lastToken = { raw: token, encoded: encodeURIComponent(token ?? '') };
    return this.lastToken.encoded;
  }

  private async fetchToken(signal?: AbortSignal): Promise<FetchedToken> {
    const { corpId, corpSecret } = this.config;
    const reply = await this.pipeline.call(
      {
        operation: 'gettoken',
        build: () => ({
          method: 'GET',
          url: `${this.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(corpSecret)}`,
          ...this.timeout,
        }),
        parse: (res) => weComOutcome(this.pipeline, 'gettoken', res, weComGetTokenErrors),
      },
      new SendStats(),
      signal,
    );
    const value = reply.access_token;
    if (typeof value !== 'string' || value === '') throw this.badReply('gettoken', 'no access_token in the answer');
    this.pipeline.deps.redactor.add(value);
    const expires = Number(reply.expires_in);
    return { value, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 7200 };
  }

  private badReply(operation: string, message: string): NotifyError {
    return new NotifyError({
      channel: CHANNEL,
      code: 'BAD_RESPONSE',
      kind: 'upstream',
      retryable: false,
      operation,
      message,
      hint: 'The baseUrl did not answer like WeCom; check the baseUrl and any proxy in front of it.',
    });
  }
}

/** Message types a merged text can show as an item (title and first lines); the rest wait unchanged. */
const MERGEABLE = new Set(['text', 'markdown', 'textcard', 'news']);

interface CommonFields {
  json: string;
  /** The duplicate check window in effect (s, 0 = off). */
  interval: number;
}

function commonOf(fields: Record<string, number>): CommonFields {
  return { json: JSON.stringify(fields).slice(1, -1), interval: fields.duplicate_check_interval ?? 0 };
}

/** What one message/send call reported: its msgid and any recipients WeCom did not accept. */
function batchOutcome(reply: WeComBody): BatchOutcome {
  const partialFailures: PartialFailure[] = [];
  if (reply.invaliduser || reply.invalidparty || reply.invalidtag || reply.unlicenseduser) {
    for (const [field, target, reason] of PARTIAL_FIELDS) {
      for (const id of splitBar(reply[field])) partialFailures.push({ target, id, reason });
    }
  }
  return { msgid: typeof reply.msgid === 'string' && reply.msgid ? reply.msgid : undefined, partialFailures };
}

/** The start of a message body: `{"touser":…,"toparty":…,"totag":…,` (the fields present). */
function recipientsHead(batch: RecipientBatch): string {
  let head = '{';
  if (batch.touser !== undefined) head += `"touser":${JSON.stringify(batch.touser)},`;
  if (batch.toparty !== undefined) head += `"toparty":${JSON.stringify(batch.toparty)},`;
  if (batch.totag !== undefined) head += `"totag":${JSON.stringify(batch.totag)},`;
  return head;
}

/** The rest of a message body after the recipients: `"msgtype":…,"<type>":{…},<common>}`. */
function messageTail(message: WeComMessage, commonJson: string): string {
  const type = JSON.stringify(message.msgtype);
  return `"msgtype":${type},${type}:${JSON.stringify(message.payload)},${commonJson}}`;
}
