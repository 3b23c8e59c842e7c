import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '@wxnotify/core';
import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';
import { plainIp, realClock, utf8, weComErrmsg } from './common';
import { parseMultipart } from './multipart';

export interface FakeRobotOptions {
  /** Valid robot keys (default: one generated key, see `key`). */
  keys?: string[];
  /** Clock for the 20-per-minute window (share a VirtualClock with the client). */
  clock?: Clock;
  /** Messages per robot per 60 s before 45009 (default 20). */
  perMinute?: number;
}

export interface FakeRobotDelivery {
  key: string;
  msgtype: string;
  payload: Record<string, unknown>;
  at: number;
}

const MSGTYPES = new Set(['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card']);

class RobotError {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {}
}

/**
 * A strict fake of the WeCom group robot webhook (`/cgi-bin/webhook/send?key=…` and
 * `/cgi-bin/webhook/upload_media?key=…&type=file|voice`) on 127.0.0.1.
 *
 *   const robot = await startFakeRobot({ clock });
 *   createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url }, { clock });
 *   robot.delivered / robot.sendCalls / robot.rateLimited / robot.uploads
 *   robot.failNext(-1, 2)   // inject upstream error codes
 *   await robot.close();
 *
 * Enforced (upstream-apis.md §2 and the §6 checklist): unknown/missing key → 93000 (the errmsg
 * shape of the real service, with `from ip`); more than 20 accepted messages per key in any 60 s
 * of the injected clock → 45009; JSON only; msgtype set (40008); text ≤ 2048 B, markdown and
 * markdown_v2 ≤ 4096 B (40058), empty content 44004; mentioned lists must be string arrays;
 * image base64 ≤ 2 MB raw with md5 = MD5(raw bytes); news 1–8 articles with title and url;
 * file/voice media_id uploaded with the same key (40007); template_card card_type and required
 * parts; upload_media multipart part named exactly `media`, > 5 bytes, file ≤ 20 MB, voice ≤ 2 MB.
 */
export class FakeRobot {
  readonly keys: string[];
  readonly delivered: FakeRobotDelivery[] = [];
  readonly uploads = new Map<string, { key: string; type: string; filename?: string; size: number; disposition: string }>();
  /** How many 45009 answers were given. */
  rateLimited = 0;
  readonly errors: number[] = [];
  sendCalls = 0;
  uploadCalls = 0;

  private readonly clock: Clock;
  private readonly accepted = new Map<string, number[]>();
  private readonly injected: Array<{ code: number; errmsg?: string }> = [];

  private constructor(
    readonly server: FakeServer,
    private readonly options: FakeRobotOptions,
  ) {
    this.keys = options.keys ?? [`${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-4${randomBytes(2).toString('hex').slice(1)}-a${randomBytes(2).toString('hex').slice(1)}-${randomBytes(6).toString('hex')}`];
    this.clock = options.clock ?? realClock;
  }

  static async start(options: FakeRobotOptions = {}): Promise<FakeRobot> {
    let fake: FakeRobot | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new FakeRobot(server, options);
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  /** The first valid key. */
  get key(): string {
    return this.keys[0];
  }

  /** The full webhook URL users copy from the WeCom client. */
  get webhookUrl(): string {
    return `${this.url}/cgi-bin/webhook/send?key=${this.key}`;
  }

  /** The next `count` webhook/send calls (after the key check) answer `code`; code 0 passes normally. */
  failNext(code: number, count = 1, errmsg?: string): void {
    for (let i = 0; i < count; i++) this.injected.push({ code, errmsg });
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: RecordedRequest): FakeReply {
    const ip = plainIp(req.remoteAddress);
    try {
      if (req.path === '/cgi-bin/webhook/send') return ok(this.send(req));
      if (req.path === '/cgi-bin/webhook/upload_media') return ok(this.upload(req));
      return { status: 404, body: 'not found' };
    } catch (error) {
      if (!(error instanceof RobotError)) throw error;
      this.errors.push(error.code);
      return ok({ errcode: error.code, errmsg: weComErrmsg(error.code, error.text, ip) });
    }
  }

  private checkKey(req: RecordedRequest): string {
    const key = req.query.get('key');
    if (!key || !this.keys.includes(key)) throw new RobotError(93000, 'invalid webhook url');
    if (req.method !== 'POST') throw new RobotError(40058, 'POST required');
    return key;
  }

  private send(req: RecordedRequest): Record<string, unknown> {
    this.sendCalls++;
    const key = this.checkKey(req);
    const next = this.injected.shift();
    if (next && next.code !== 0) throw new RobotError(next.code, next.errmsg ?? `injected error ${next.code}`);
    const body = req.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RobotError(40058, 'Warning: wrong json format.');
    const { msgtype } = body as Record<string, unknown>;
    if (typeof msgtype !== 'string' || !MSGTYPES.has(msgtype)) throw new RobotError(40008, 'invalid message type');
    const now = this.clock.now();
    const recent = (this.accepted.get(key) ?? []).filter((t) => t > now - 60_000);
    this.accepted.set(key, recent);
    if (recent.length >= (this.options.perMinute ?? 20)) {
      this.rateLimited++;
      throw new RobotError(45009, 'api freq out of limit');
    }
    const payload = (body as Record<string, unknown>)[msgtype];
    if (typeof payload !== 'object' || payload === null) throw new RobotError(40058, `${msgtype} is missing`);
    this.checkPayload(key, msgtype, payload as Record<string, unknown>);
    recent.push(now);
    this.delivered.push({ key, msgtype, payload: payload as Record<string, unknown>, at: now });
    return { errcode: 0, errmsg: 'ok' };
  }

  private checkPayload(key: string, msgtype: string, p: Record<string, unknown>): void {
    const content = typeof p.content === 'string' ? p.content : '';
    switch (msgtype) {
      case 'text':
        if (!content) throw new RobotError(44004, 'empty content');
        if (utf8(content) > 2048) throw new RobotError(40058, 'content exceed max length 2048');
        for (const f of ['mentioned_list', 'mentioned_mobile_list']) {
          const list = p[f];
          if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) throw new RobotError(40058, `invalid ${f}`);
        }
        break;
      case 'markdown':
      case 'markdown_v2':
        if (!content) throw new RobotError(44004, 'empty content');
        if (utf8(content) > 4096) throw new RobotError(40058, 'content exceed max length 4096');
        break;
      case 'image': {
        if (typeof p.base64 !== 'string' || typeof p.md5 !== 'string') throw new RobotError(40058, 'image.base64 and image.md5 required');
        const raw = Buffer.from(p.base64, 'base64');
        if (raw.length > 2 * 1024 * 1024) throw new RobotError(40009, 'invalid image size');
        if (createHash('md5').update(raw).digest('hex') !== p.md5.toLowerCase()) throw new RobotError(40058, 'invalid image md5');
        break;
      }
      case 'news': {
        const articles = p.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new RobotError(40058, 'invalid articles size');
        for (const a of articles as Array<Record<string, unknown>>) {
          if (typeof a.title !== 'string' || !a.title) throw new RobotError(40058, 'article title missing');
          if (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url)) throw new RobotError(40058, 'article url missing');
          if (utf8(a.title) > 128 || (typeof a.description === 'string' && utf8(a.description) > 512)) throw new RobotError(40058, 'article field too long');
        }
        break;
      }
      case 'file':
      case 'voice': {
        const media = this.uploads.get(String(p.media_id));
        if (!media || media.key !== key) throw new RobotError(40007, 'invalid media_id');
        break;
      }
      case 'template_card': {
        const card = p as Record<string, any>;
        if (card.card_type !== 'text_notice' && card.card_type !== 'news_notice') throw new RobotError(40058, 'invalid card_type');
        if (typeof card.card_action !== 'object' || card.card_action === null) throw new RobotError(40058, 'card_action missing');
        if (card.card_type === 'text_notice' && !card.main_title?.title && !card.sub_title_text) throw new RobotError(40058, 'main_title.title or sub_title_text required');
        if (card.card_type === 'news_notice' && (!card.main_title?.title || !card.card_image?.url)) throw new RobotError(40058, 'main_title.title and card_image.url required');
        break;
      }
    }
  }

  private upload(req: RecordedRequest): Record<string, unknown> {
    this.uploadCalls++;
    const key = this.checkKey(req);
    const type = req.query.get('type') ?? '';
    if (type !== 'file' && type !== 'voice') throw new RobotError(40004, 'invalid media type');
    const parts = parseMultipart(req.body, req.headers['content-type']);
    const media = parts?.find((p) => p.name === 'media');
    if (!media) throw new RobotError(41005, 'media data missing (multipart part must be named "media")');
    const size = media.data.length;
    if (size <= 5) throw new RobotError(40006, 'invalid file size');
    if (size > (type === 'voice' ? 2 : 20) * 1024 * 1024) throw new RobotError(40006, 'invalid file size');
    const mediaId = `fake-robot-media-${randomBytes(16).toString('hex')}`;
    this.uploads.set(mediaId, { key, type, filename: media.filename, size, disposition: media.disposition });
    return { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: String(Math.floor(this.clock.now() / 1000)) };
  }
}

function ok(body: Record<string, unknown>): FakeReply {
  return { status: 200, body };
}

export function startFakeRobot(options: FakeRobotOptions = {}): Promise<FakeRobot> {
  return FakeRobot.start(options);
}
