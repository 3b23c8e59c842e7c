import { randomBytes } from 'node:crypto';
import type { Clock } from '@wxnotify/core';
import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';
import { chars, cutBytes, plainIp, realClock, utf8, weComErrmsg, WeComError } from './common';
import { FakeCardBook } from './fake-cards';
import { parseMultipart } from './multipart';

export interface FakeDepartment {
  id: number;
  name: string;
  parentid: number;
  order?: number;
}

export interface FakeUser {
  userid: string;
  name: string;
  department: number[];
}

export interface FakeWeComOptions {
  corpId?: string;
  corpSecret?: string;
  agentId?: number;
  /** Time source for token expiry, 45009 windows and duplicate checks (share a VirtualClock with the client). */
  clock?: Clock;
  tokenTtlSeconds?: number;
  /** When set, every cgi call except gettoken from another IP gets 60020 with `from ip`. */
  trustedIps?: string[];
  /** Wrong secrets per IP before gettoken answers 45009 (default 5). */
  wrongSecretLimit?: number;
  /** Default: every userid except those starting with `invalid`/`unknown`. */
  isKnownUser?: (userid: string) => boolean;
  /** Default: userids starting with `unlicensed`. */
  isUnlicensedUser?: (userid: string) => boolean;
  /** Default: party/tag ids below 90000 exist. */
  isKnownParty?: (id: string) => boolean;
  isKnownTag?: (id: string) => boolean;
  departments?: FakeDepartment[];
  users?: FakeUser[];
  /**
   * WeCom's per-member quota of one app: past it a member silently gets nothing while the answer
   * stays errcode 0 (default 30 per 60 s and 1,000 per hour; `false` turns it off).
   */
  memberQuota?: { perMinute: number; perHour: number } | false;
  /** tag/list answer (default: two tags). */
  tags?: Array<{ tagid: number; tagname: string }>;
}

/** One message that reached recipients (duplicates within the check window are not delivered again). */
export interface FakeDelivery {
  msgid: string;
  msgtype: string;
  /** The payload object as stored (after WeCom-style truncation). */
  payload: Record<string, unknown>;
  touser: string[];
  toparty: string[];
  totag: string[];
  truncated: boolean;
  at: number;
  body: Record<string, unknown>;
  /** Members it reached (named users, party members and @all expanded from `users`; tags are not expanded). */
  reached: string[];
  /** Members it did not reach because their per-member quota was used up (silently, errcode 0). */
  quotaDropped: string[];
}

export interface FakeUpload {
  mediaId: string;
  type: string;
  filename?: string;
  size: number;
  disposition: string;
}

type Operation = 'gettoken' | 'message/send' | 'message/recall' | 'media/upload' | 'department/list' | 'user/simplelist' | 'tag/list' | 'message/update_template_card';

interface TokenState {
  expiresAt: number;
  revokedWith?: number;
}

const MSGTYPES = new Set(['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown', 'miniprogram_notice', 'template_card']);
const CARD_TYPES = new Set(['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction']);
const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'file']);

/**
 * A strict fake of the WeCom self-built-app API (qyapi.weixin.qq.com/cgi-bin/*) on 127.0.0.1.
 *
 * Usage (core tests, n8n node tests, Nest tests, the real-n8n suite, benchmarks):
 *
 *   const wecom = await startFakeWeCom({ clock });          // defaults: corpId/corpSecret/agentId below
 *   createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock });
 *   wecom.gettokenCalls / wecom.sendCalls / wecom.delivered / wecom.uploads   // what happened
 *   wecom.invalidateTokens(42001)   // every issued token now fails with 42001 (or 40014)
 *   wecom.failNext('message/send', -1, 2)  // inject upstream error codes
 *   wecom.rateLimit('message/send', 60_000)   // 45009 until the (injected) clock passes the window
 *   wecom.hangAfterDelivery(1)      // deliver, then never answer (client times out and retries)
 *   wecom.dropAfterApplying('message/update_template_card', 1)  // apply, then reset the connection
 *   wecom.server.injectFaults({ reset: 2, status: { code: 502, count: 1 } })  // transport faults
 *   await wecom.close()
 *
 * Enforced (upstream-apis.md §1 and the §6 checklist): HTTP 200 + errcode on every error;
 * gettoken 40013/40001/41002/41004 and 45009 after repeated wrong secrets per IP; token expiry
 * (42001) on the injected clock; 41001/40014; 60020 with `from ip` for untrusted IPs; JSON bodies
 * only ("Warning: wrong json format."); message/send: agentid integer (40056) of this app (301002),
 * msgtype (40008), recipients (82001, 40032 >1000 users, 82002/82003 >100 parties/tags,
 * invaliduser/party/tag and unlicenseduser lists, 81013 when none is valid), text/markdown empty (44004), >2048 B
 * truncated, >5120 B 40058, textcard/news field rules, media_id known (40007), template_card
 * card_type (interactive cards and update_template_card: fake-cards.ts), duplicate check window (≤14400 s), msgid; the per-member
 * quota (30/min, 1,000/h per app): over-quota members silently get nothing, the answer stays errcode 0
 * (`receivedBy(userid)`, `quotaDrops`); media/upload multipart part named exactly
 * `media`, type query, size rules, `created_at` as a string; recall; department/list; user/simplelist.
 */
export class FakeWeCom {
  readonly corpId: string;
  readonly corpSecret: string;
  readonly agentId: number;
  readonly delivered: FakeDelivery[] = [];
  readonly uploads = new Map<string, FakeUpload>();
  readonly recalled: string[] = [];
  /** Identical bodies inside their duplicate-check window that were answered but not delivered. */
  duplicatesSuppressed = 0;
  /** Every errcode this fake answered with, in order (0 excluded). */
  readonly errors: number[] = [];
  /** Interactive cards: tasks, response codes, updates, and clicks posted to `cards.callback` (fake-cards.ts). */
  readonly cards: FakeCardBook;
  /** Member deliveries silently dropped by the per-member quota (answered errcode 0). */
  quotaDrops = 0;
  private readonly memberLog = new Map<string, number[]>();

  private readonly clock: Clock;
  private readonly tokens = new Map<string, TokenState>();
  private currentToken?: string;
  private tokenCounter = 0;
  private readonly counts = new Map<Operation, number>();
  private readonly injected = new Map<Operation, Array<{ code: number; errmsg?: string }>>();
  private readonly blockedUntil = new Map<Operation, number>();
  private readonly wrongSecrets = new Map<string, number>();
  private readonly duplicates = new Map<string, { at: number; interval: number; msgid: string }>();
  private hangs = 0;
  private readonly drops = new Map<Operation, number>();

  private constructor(
    readonly server: FakeServer,
    private readonly options: FakeWeComOptions,
  ) {
    this.corpId = options.corpId ?? 'wwfakecorp00000001';
    this.corpSecret = options.corpSecret ?? 'fake-corp-secret-0123456789abcdefghijklmnop';
    this.agentId = options.agentId ?? 1000002;
    this.clock = options.clock ?? realClock;
    this.cards = new FakeCardBook(this.clock, this.corpId, this.agentId);
  }

  static async start(options: FakeWeComOptions = {}): Promise<FakeWeCom> {
    let fake: FakeWeCom | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new FakeWeCom(server, options);
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  /** Ready to spread into a wecom-app config. */
  get credentials(): { corpId: string; corpSecret: string; agentId: number } {
    return { corpId: this.corpId, corpSecret: this.corpSecret, agentId: this.agentId };
  }

  calls(operation: Operation): number {
    return this.counts.get(operation) ?? 0;
  }

  get gettokenCalls(): number {
    return this.calls('gettoken');
  }

  get sendCalls(): number {
    return this.calls('message/send');
  }

  get uploadCalls(): number {
    return this.calls('media/upload');
  }

  /** The token gettoken hands out now (undefined before the first fetch). */
  get issuedToken(): string | undefined {
    return this.currentToken;
  }

  /** Every token issued so far now fails with `code` (42001 expired or 40014 invalid); gettoken issues a new one. */
  invalidateTokens(code: 40014 | 42001 = 42001): void {
    for (const state of this.tokens.values()) state.revokedWith ??= code;
    this.currentToken = undefined;
  }

  /** The next `count` calls of `operation` answer `code` (after the token/IP checks). Code 0 queues calls that pass normally, so `failNext(op, 0, 2); failNext(op, -1)` fails the third call. */
  failNext(operation: Operation, code: number, count = 1, errmsg?: string): void {
    const queue = this.injected.get(operation) ?? [];
    for (let i = 0; i < count; i++) queue.push({ code, errmsg });
    this.injected.set(operation, queue);
  }

  /** `operation` answers 45009 until the clock passes now + windowMs. */
  rateLimit(operation: Operation, windowMs: number): void {
    this.blockedUntil.set(operation, this.clock.now() + windowMs);
  }

  /** The next `count` calls of `operation` are carried out, then the connection drops without an answer. */
  dropAfterApplying(operation: Operation, count: number): void {
    this.drops.set(operation, (this.drops.get(operation) ?? 0) + count);
  }

  /** The next `count` message/send calls are delivered but never answered. */
  hangAfterDelivery(count: number): void {
    this.hangs += count;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: RecordedRequest): Promise<FakeReply> {
    const operation = req.path.replace(/^\/cgi-bin\//, '') as Operation;
    const ip = plainIp(req.remoteAddress);
    try {
      switch (operation) {
        case 'gettoken':
          this.count(operation);
          return ok(this.getToken(req, ip));
        case 'message/send':
          return await this.withAuth(operation, req, ip, () => this.send(req, ip));
        case 'message/recall':
          return await this.withAuth(operation, req, ip, () => this.recall(req));
        case 'media/upload':
          return await this.withAuth(operation, req, ip, () => this.upload(req));
        case 'department/list':
          return await this.withAuth(operation, req, ip, () => this.departmentList(req));
        case 'user/simplelist':
          return await this.withAuth(operation, req, ip, () => this.userSimplelist(req));
        case 'tag/list':
          return await this.withAuth(operation, req, ip, () => ({ errcode: 0, errmsg: 'ok', taglist: this.options.tags ?? DEFAULT_TAGS }));
        case 'message/update_template_card':
          return await this.withAuth(operation, req, ip, () => this.cards.update(this.jsonBody(req)));
        default:
          return { status: 404, body: 'not found' };
      }
    } catch (error) {
      if (!(error instanceof WeComError)) throw error;
      this.errors.push(error.code);
      return ok({ errcode: error.code, errmsg: weComErrmsg(error.code, error.text, ip) });
    }
  }

  private count(operation: Operation): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  private async withAuth(operation: Operation, req: RecordedRequest, ip: string, run: () => Record<string, unknown> | typeof HANG): Promise<FakeReply> {
    this.count(operation);
    const token = req.query.get('access_token');
    if (!token) throw new WeComError(41001, 'access_token missing');
    const state = this.tokens.get(token);
    if (!state) throw new WeComError(40014, 'invalid access_token');
    if (state.revokedWith) throw new WeComError(state.revokedWith, state.revokedWith === 42001 ? 'access_token expired' : 'invalid access_token');
    if (this.clock.now() >= state.expiresAt) throw new WeComError(42001, 'access_token expired');
    if (this.options.trustedIps && !this.options.trustedIps.includes(ip)) throw new WeComError(60020, 'not allow to access from your ip');
    this.checkInjected(operation);
    const result = run();
    if (result === HANG) return new Promise<FakeReply>(() => undefined);
    const drops = this.drops.get(operation) ?? 0;
    if (drops > 0) {
      this.drops.set(operation, drops - 1);
      return { drop: true };
    }
    return ok(result);
  }

  private checkInjected(operation: Operation): void {
    const until = this.blockedUntil.get(operation);
    if (until !== undefined && this.clock.now() < until) throw new WeComError(45009, 'api freq out of limit');
    const next = this.injected.get(operation)?.shift();
    if (next && next.code !== 0) throw new WeComError(next.code, next.errmsg ?? `injected error ${next.code}`);
  }

  private getToken(req: RecordedRequest, ip: string): Record<string, unknown> {
    const corpid = req.query.get('corpid');
    const secret = req.query.get('corpsecret');
    if (!corpid) throw new WeComError(41002, 'corpid missing');
    if (!secret) throw new WeComError(41004, 'corpsecret missing');
    const wrong = this.wrongSecrets.get(ip) ?? 0;
    if (wrong >= (this.options.wrongSecretLimit ?? 5)) throw new WeComError(45009, 'api freq out of limit, ip blocked for wrong secrets');
    if (corpid !== this.corpId) throw new WeComError(40013, 'invalid corpid');
    if (secret !== this.corpSecret) {
      this.wrongSecrets.set(ip, wrong + 1);
      throw new WeComError(40001, 'invalid credential');
    }
    this.checkInjected('gettoken');
    const now = this.clock.now();
    const ttl = (this.options.tokenTtlSeconds ?? 7200) * 1000;
    let token = this.currentToken;
    let state = token ? this.tokens.get(token) : undefined;
    if (!token || !state || state.revokedWith || state.expiresAt <= now) {
      token = `fake-access-token-${++this.tokenCounter}-${randomBytes(12).toString('hex')}`;
      state = { expiresAt: now + ttl };
      this.tokens.set(token, state);
      this.currentToken = token;
    }
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: Math.ceil((state.expiresAt - now) / 1000) };
  }

  private jsonBody(req: RecordedRequest): Record<string, unknown> {
    if (req.method !== 'POST') throw new WeComError(40058, 'invalid Request Parameter, POST required');
    const body = req.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WeComError(40058, 'Warning: wrong json format.');
    return body as Record<string, unknown>;
  }

  private send(req: RecordedRequest, _ip: string): Record<string, unknown> | typeof HANG {
    const body = this.jsonBody(req);
    if (typeof body.agentid !== 'number' || !Number.isInteger(body.agentid)) throw new WeComError(40056, 'invalid agentid');
    if (body.agentid !== this.agentId) throw new WeComError(301002, 'not allow operate another agent with this accesstoken.');
    const msgtype = body.msgtype;
    if (typeof msgtype !== 'string' || !MSGTYPES.has(msgtype)) throw new WeComError(40008, 'invalid message type');
    const list = (field: string): string[] => {
      const value = body[field];
      if (value === undefined) return [];
      if (typeof value !== 'string') throw new WeComError(40058, `${field} must be a string`);
      return value.split('|').map((s) => s.trim()).filter((s) => s !== '');
    };
    const touser = list('touser');
    const toparty = list('toparty');
    const totag = list('totag');
    if (touser.length + toparty.length + totag.length === 0) throw new WeComError(82001, 'All touser & toparty & totag invalid');
    if (touser.length > 1000) throw new WeComError(40032, 'invalid touser size');
    if (toparty.length > 100) throw new WeComError(82002, 'invalid toparty size');
    if (totag.length > 100) throw new WeComError(82003, 'invalid totag size');
    const { payload, truncated } = this.checkPayload(msgtype, body[msgtype]);

    const dupe = this.checkDuplicate(body, req.text);
    if (dupe) return dupe;
    if (msgtype === 'template_card') this.cards.check(payload);

    const all = touser.includes('@all');
    const known = this.options.isKnownUser ?? ((id: string) => !/^(invalid|unknown)/i.test(id));
    const unlicensed = this.options.isUnlicensedUser ?? ((id: string) => /^unlicensed/i.test(id));
    const knownParty = this.options.isKnownParty ?? ((id: string) => /^\d+$/.test(id) && Number(id) < 90000);
    const knownTag = this.options.isKnownTag ?? ((id: string) => /^\d+$/.test(id) && Number(id) < 90000);
    const invaliduser = all ? [] : touser.filter((u) => !known(u) && !unlicensed(u));
    const unlicenseduser = all ? [] : touser.filter((u) => unlicensed(u));
    const invalidparty = all ? [] : toparty.filter((p) => !knownParty(p));
    const invalidtag = all ? [] : totag.filter((t) => !knownTag(t));
    if (!all && invaliduser.length + unlicenseduser.length + invalidparty.length + invalidtag.length === touser.length + toparty.length + totag.length) {
      throw new WeComError(81013, 'user & party & tag all invalid');
    }
    const msgid = randomBytes(30).toString('base64url');
    const { reached, quotaDropped } = this.chargeMembers(all, touser.filter((u) => known(u) && !unlicensed(u)), toparty.filter((p) => knownParty(p)));
    this.delivered.push({ msgid, msgtype, payload, touser, toparty, totag, truncated, at: this.clock.now(), body, reached, quotaDropped });
    const responseCode = msgtype === 'template_card' ? this.cards.sent(payload, touser, toparty, totag) : undefined;
    if (body.enable_duplicate_check === 1) {
      this.duplicates.set(req.text, { at: this.clock.now(), interval: (body.duplicate_check_interval as number | undefined) ?? 1800, msgid });
    }
    if (this.hangs > 0) {
      this.hangs--;
      return HANG;
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      invaliduser: invaliduser.map((u) => u.toLowerCase()).join('|'),
      invalidparty: invalidparty.join('|'),
      invalidtag: invalidtag.join('|'),
      unlicenseduser: unlicenseduser.join('|'),
      msgid,
      ...(responseCode ? { response_code: responseCode } : {}),
    };
  }

  /** What each member actually received (quota drops and duplicates excluded), in order. */
  receivedBy(userid: string): FakeDelivery[] {
    const id = userid.toLowerCase();
    return this.delivered.filter((d) => d.reached.includes(id));
  }

  /** Members that received something, with how many messages each. */
  receivedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.delivered) for (const id of d.reached) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  }

  /** The members a message reaches, each charged one unit of the per-member quota or silently skipped. */
  private chargeMembers(all: boolean, users: string[], parties: string[]): { reached: string[]; quotaDropped: string[] } {
    const directory = this.options.users ?? DEFAULT_USERS;
    const members = new Set<string>(users.map((u) => u.toLowerCase()));
    for (const user of directory) {
      if (all || user.department.some((d) => parties.includes(String(d)))) members.add(user.userid.toLowerCase());
    }
    const quota = this.options.memberQuota ?? { perMinute: 30, perHour: 1000 };
    const now = this.clock.now();
    const reached: string[] = [];
    const quotaDropped: string[] = [];
    for (const member of members) {
      const log = (this.memberLog.get(member) ?? []).filter((t) => t > now - 3_600_000);
      this.memberLog.set(member, log);
      const lastMinute = log.filter((t) => t > now - 60_000).length;
      if (quota && (lastMinute >= quota.perMinute || log.length >= quota.perHour)) {
        quotaDropped.push(member);
        this.quotaDrops++;
        continue;
      }
      log.push(now);
      reached.push(member);
    }
    return { reached, quotaDropped };
  }

  private checkDuplicate(body: Record<string, unknown>, raw: string): Record<string, unknown> | undefined {
    if (body.enable_duplicate_check !== 1) return undefined;
    const interval = body.duplicate_check_interval ?? 1800;
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 0 || interval > 14400) {
      throw new WeComError(40058, 'invalid duplicate_check_interval');
    }
    const now = this.clock.now();
    const seen = this.duplicates.get(raw);
    if (seen && seen.at + seen.interval * 1000 > now) {
      this.duplicatesSuppressed++;
      return { errcode: 0, errmsg: 'ok', invaliduser: '', invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: seen.msgid };
    }
    return undefined;
  }

  private checkPayload(msgtype: string, value: unknown): { payload: Record<string, unknown>; truncated: boolean } {
    if (typeof value !== 'object' || value === null) throw new WeComError(40058, `${msgtype} is missing`);
    const payload = { ...(value as Record<string, unknown>) };
    let truncated = false;
    const str = (field: string): string => (typeof payload[field] === 'string' ? (payload[field] as string) : '');
    switch (msgtype) {
      case 'text':
      case 'markdown': {
        const content = str('content');
        if (content === '') throw new WeComError(44004, 'empty content');
        if (utf8(content) > 5120) throw new WeComError(40058, `${msgtype}.content exceed max length 5120`);
        if (utf8(content) > 2048) {
          payload.content = cutBytes(content, 2048);
          truncated = true;
        }
        break;
      }
      case 'textcard': {
        if (!str('title')) throw new WeComError(40058, 'textcard.title missing');
        if (!str('description')) throw new WeComError(40058, 'textcard.description missing');
        const url = str('url');
        if (!/^https?:\/\//.test(url) || utf8(url) > 2048) throw new WeComError(40058, 'invalid textcard.url');
        if (payload.btntxt !== undefined && chars(str('btntxt')) > 4) throw new WeComError(40058, 'textcard.btntxt exceed max length 4');
        if (chars(str('title')) > 128) {
          payload.title = Array.from(str('title')).slice(0, 128).join('');
          truncated = true;
        }
        if (chars(str('description')) > 512) {
          payload.description = Array.from(str('description')).slice(0, 512).join('');
          truncated = true;
        }
        break;
      }
      case 'news': {
        const articles = payload.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new WeComError(40058, 'invalid articles size');
        payload.articles = articles.map((a: Record<string, unknown>) => {
          const article = { ...a };
          if (typeof a.title !== 'string' || a.title === '') throw new WeComError(40058, 'article title missing');
          const hasUrl = typeof a.url === 'string' && /^https?:\/\//.test(a.url);
          if (!hasUrl && !(a.appid && a.pagepath)) throw new WeComError(40058, 'article url missing');
          for (const f of ['url', 'picurl'] as const) if (typeof a[f] === 'string' && utf8(a[f] as string) > 2048) throw new WeComError(40058, `article ${f} too long`);
          if (utf8(a.title) > 128) {
            article.title = cutBytes(a.title, 128);
            truncated = true;
          }
          if (typeof a.description === 'string' && utf8(a.description) > 512) {
            article.description = cutBytes(a.description, 512);
            truncated = true;
          }
          return article;
        });
        break;
      }
      case 'image':
      case 'voice':
      case 'file':
        if (!this.uploads.has(str('media_id'))) throw new WeComError(40007, 'invalid media_id');
        break;
      case 'video':
        if (!this.uploads.has(str('media_id'))) throw new WeComError(40007, 'invalid media_id');
        for (const [field, max] of [['title', 128], ['description', 512]] as const) {
          if (utf8(str(field)) > max) {
            payload[field] = cutBytes(str(field), max);
            truncated = true;
          }
        }
        break;
      case 'mpnews': {
        const articles = payload.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new WeComError(40058, 'invalid articles size');
        for (const a of articles as Array<Record<string, unknown>>) {
          if (typeof a.title !== 'string' || a.title === '') throw new WeComError(40058, 'mpnews title missing');
          if (typeof a.thumb_media_id !== 'string' || !this.uploads.has(a.thumb_media_id)) throw new WeComError(40007, 'invalid thumb_media_id');
          if (typeof a.content !== 'string' || a.content === '') throw new WeComError(40058, 'mpnews content missing');
          if (utf8(a.content) > 666 * 1024) throw new WeComError(40058, 'mpnews content exceed max length');
          if (typeof a.author === 'string' && utf8(a.author) > 64) throw new WeComError(40058, 'mpnews author exceed max length');
          if (typeof a.title === 'string' && utf8(a.title) > 128) throw new WeComError(40058, 'mpnews title exceed max length');
        }
        break;
      }
      case 'template_card':
        if (!CARD_TYPES.has(str('card_type'))) throw new WeComError(40058, 'invalid card_type');
        break;
    }
    return { payload, truncated };
  }

  private recall(req: RecordedRequest): Record<string, unknown> {
    const body = this.jsonBody(req);
    const delivery = this.delivered.find((d) => d.msgid === body.msgid);
    if (!delivery || this.clock.now() - delivery.at > 24 * 3600_000) throw new WeComError(40058, 'invalid msgid');
    this.recalled.push(delivery.msgid);
    return { errcode: 0, errmsg: 'ok' };
  }

  private upload(req: RecordedRequest): Record<string, unknown> {
    if (req.method !== 'POST') throw new WeComError(40058, 'POST required');
    const type = req.query.get('type') ?? '';
    if (!MEDIA_TYPES.has(type)) throw new WeComError(40004, 'invalid media type');
    const parts = parseMultipart(req.body, req.headers['content-type']);
    if (!parts) throw new WeComError(40058, 'not a multipart/form-data body');
    const media = parts.find((p) => p.name === 'media');
    if (!media) throw new WeComError(41005, 'media data missing (multipart part must be named "media")');
    if (!media.filename) throw new WeComError(40058, 'filename missing');
    const size = media.data.length;
    if (size === 0) throw new WeComError(44001, 'empty media data');
    if (size <= 5) throw new WeComError(40006, 'invalid file size');
    const max = { image: 10, voice: 2, video: 10, file: 20 }[type as 'image'] * 1024 * 1024;
    if (size > max) throw new WeComError(type === 'image' ? 40009 : type === 'video' ? 40011 : 40006, 'invalid file size');
    const mediaId = `fake-media-${randomBytes(16).toString('hex')}`;
    this.uploads.set(mediaId, { mediaId, type, filename: media.filename, size, disposition: media.disposition });
    return { errcode: 0, errmsg: '', type, media_id: mediaId, created_at: String(Math.floor(this.clock.now() / 1000)) };
  }

  private departmentList(req: RecordedRequest): Record<string, unknown> {
    const all = this.departments();
    const id = req.query.get('id');
    if (!id) return { errcode: 0, errmsg: 'ok', department: all };
    const root = Number(id);
    if (!all.some((d) => d.id === root)) throw new WeComError(60003, 'department not found');
    const subtree = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const d of all) if (subtree.has(d.parentid) && !subtree.has(d.id)) grew = subtree.add(d.id) !== undefined;
    }
    return { errcode: 0, errmsg: 'ok', department: all.filter((d) => subtree.has(d.id)) };
  }

  private userSimplelist(req: RecordedRequest): Record<string, unknown> {
    const id = req.query.get('department_id');
    if (!id || !/^\d+$/.test(id)) throw new WeComError(40058, 'department_id missing');
    if (!this.departments().some((d) => d.id === Number(id))) throw new WeComError(60003, 'department not found');
    const users = this.options.users ?? DEFAULT_USERS;
    return { errcode: 0, errmsg: 'ok', userlist: users.filter((u) => u.department.includes(Number(id))) };
  }

  private departments(): FakeDepartment[] {
    return this.options.departments ?? DEFAULT_DEPARTMENTS;
  }
}

const HANG = Symbol('hang');

const DEFAULT_TAGS = [
  { tagid: 1, tagname: 'On-call' },
  { tagid: 3, tagname: 'DBA' },
];

const DEFAULT_DEPARTMENTS: FakeDepartment[] = [
  { id: 1, name: 'Fake Corp', parentid: 0, order: 100000000 },
  { id: 2, name: '研发部', parentid: 1, order: 1 },
  { id: 3, name: 'Ops', parentid: 1, order: 2 },
];

const DEFAULT_USERS: FakeUser[] = [
  { userid: 'zhangsan', name: '张三', department: [1, 2] },
  { userid: 'lisi', name: '李四', department: [2] },
  { userid: 'wangwu', name: '王五', department: [3] },
];

function ok(body: Record<string, unknown>): FakeReply {
  return { status: 200, body };
}

export function startFakeWeCom(options: FakeWeComOptions = {}): Promise<FakeWeCom> {
  return FakeWeCom.start(options);
}
