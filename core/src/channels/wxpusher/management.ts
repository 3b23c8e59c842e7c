import type { Clock } from '../../engine/clock';
import type { Pipeline } from '../../engine/pipeline';
import { validationError } from '../../model/notify-error';
import { SendStats } from '../../model/send-result';
import type { HttpMethod } from '../../transport/transport';
import type { WxPusherConfig } from './config';
import { classifyWxPusher } from './envelope';
import { wxPusherLimits } from './limits';

export interface WxPusherQrCodeRequest {
  /** Echoed in the `app_subscribe` callback (≤ 64 characters), e.g. your own user id. */
  extra: string;
  /** Seconds the code stays valid (default 1800, max 2,592,000). */
  validTime?: number;
}

export interface WxPusherQrCode {
  code: string;
  url: string;
  shortUrl?: string;
  /** Epoch ms. */
  expires?: number;
  extra?: string;
}

export interface WxPusherUserQuery {
  page?: number;
  /** ≤ 100. */
  pageSize?: number;
  uid?: string;
  isBlock?: boolean;
  /** 0 app followers, 1 topic subscribers. */
  type?: 0 | 1;
}

export interface WxPusherUser {
  /** Use this id (not the uid) for removeFollower / blockFollower. */
  id: number;
  uid: string;
  appOrTopicId?: number;
  type?: number;
  target?: string;
  nickName?: string;
  headImg?: string;
  createTime?: number;
  reject?: boolean;
  payEndTime?: number;
}

export interface WxPusherUserPage {
  total: number;
  page: number;
  pageSize: number;
  records: WxPusherUser[];
}

const fail = (code: string, message: string, hint: string): never => {
  throw validationError('wxpusher', code, message, hint);
};

/** The WxPusher management API (QR codes, followers, send status) over the same pipeline as sends. */
export class WxPusherManagement {
  /** Last poll per QR code, to keep the documented 10 s spacing. */
  private readonly lastScanPoll = new Map<string, number>();

  constructor(
    private readonly config: WxPusherConfig,
    private readonly pipeline: Pipeline,
    private readonly clock: Clock,
  ) {}

  /** Status of one target of a send (cached by WxPusher for 7 days). The shape is undocumented: returned as is. */
  async querySendStatus(sendRecordId: string | number): Promise<unknown> {
    const id = String(sendRecordId ?? '').trim();
    if (!/^\d+$/.test(id)) fail('INVALID_ARGUMENT', 'sendRecordId must be a number', 'Use a sendRecordId from the SendResult details.');
    return this.call('GET', 'send/query/status', '/api/send/query/status', { sendRecordId: id });
  }

  /** A parameter QR code: whoever scans it follows the app and `extra` comes back in the callback. */
  async createQrCode(request: WxPusherQrCodeRequest): Promise<WxPusherQrCode> {
    const appToken = this.appToken('createQrCode');
    const extra = String(request?.extra ?? '');
    if (extra === '' || Array.from(extra).length > wxPusherLimits.qrExtraMaxChars) {
      fail('INVALID_ARGUMENT', `extra must have 1 to ${wxPusherLimits.qrExtraMaxChars} characters`, 'Use a short id, e.g. your own user id.');
    }
    const validTime = request.validTime;
    if (validTime !== undefined && !(Number.isInteger(validTime) && validTime > 0 && validTime <= wxPusherLimits.qrValidTimeMaxSeconds)) {
      fail('INVALID_ARGUMENT', `validTime must be 1..${wxPusherLimits.qrValidTimeMaxSeconds} seconds`, 'Omit it for 1800 s (30 min).');
    }
    const data = await this.call('POST', 'fun/create/qrcode', '/api/fun/create/qrcode', undefined, { appToken, extra, ...(validTime ? { validTime } : {}) });
    return data as WxPusherQrCode;
  }

  /**
   * The uid of the last user who scanned `code`, or undefined before anyone did. Refuses to poll
   * one code more often than every 10 s (WxPusher blocks faster pollers).
   */
  async queryScanUid(code: string): Promise<string | undefined> {
    const appToken = this.appToken('queryScanUid');
    const key = String(code ?? '').trim();
    if (key === '') fail('INVALID_ARGUMENT', 'code is required', 'Use the code returned by createQrCode.');
    const now = this.clock.now();
    const last = this.lastScanPoll.get(key);
    const minGap = wxPusherLimits.scanPollMinIntervalMs;
    if (last !== undefined && now - last < minGap) {
      const waitMs = minGap - (now - last);
      fail('POLL_TOO_FAST', `this QR code was polled ${now - last} ms ago`, `WxPusher allows one poll per code every 10 s; wait ${waitMs} ms.`);
    }
    for (const [k, t] of this.lastScanPoll) if (now - t >= minGap) this.lastScanPoll.delete(k);
    this.lastScanPoll.set(key, now);
    const data = await this.call('GET', 'fun/scan-qrcode-uid', '/api/fun/scan-qrcode-uid', { appToken, code: key });
    return typeof data === 'string' && data !== '' ? data : undefined;
  }

  /** One page of followers (v2 API). */
  async listUsers(query: WxPusherUserQuery = {}): Promise<WxPusherUserPage> {
    const appToken = this.appToken('listUsers');
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? wxPusherLimits.userPageSizeMax;
    if (!Number.isInteger(page) || page < 1) fail('INVALID_ARGUMENT', 'page must be an integer >= 1', 'Pages start at 1.');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > wxPusherLimits.userPageSizeMax) {
      fail('INVALID_ARGUMENT', `pageSize must be 1..${wxPusherLimits.userPageSizeMax}`, 'WxPusher returns at most 100 users per page; page through the rest.');
    }
    if (query.type !== undefined && query.type !== 0 && query.type !== 1) fail('INVALID_ARGUMENT', 'type must be 0 (app) or 1 (topic)', 'Omit it for both.');
    const params: Record<string, string> = { appToken, page: String(page), pageSize: String(pageSize) };
    if (query.uid) params.uid = query.uid;
    if (query.isBlock !== undefined) params.isBlock = String(query.isBlock);
    if (query.type !== undefined) params.type = String(query.type);
    const data = (await this.call('GET', 'fun/wxuser/v2', '/api/fun/wxuser/v2', params)) as Partial<WxPusherUserPage> | null;
    return { total: data?.total ?? 0, page: data?.page ?? page, pageSize: data?.pageSize ?? pageSize, records: data?.records ?? [] };
  }

  /** Removes a follower (`id` from listUsers, not the uid). */
  async removeFollower(id: number | string): Promise<void> {
    const appToken = this.appToken('removeFollower');
    await this.call('DELETE', 'fun/remove', '/api/fun/remove', { appToken, id: followerId(id) });
  }

  async blockFollower(id: number | string): Promise<void> {
    await this.setBlocked(id, true);
  }

  async unblockFollower(id: number | string): Promise<void> {
    await this.setBlocked(id, false);
  }

  private async setBlocked(id: number | string, blocked: boolean): Promise<void> {
    const appToken = this.appToken(blocked ? 'blockFollower' : 'unblockFollower');
    await this.call('PUT', 'fun/reject', '/api/fun/reject', { appToken, id: followerId(id), reject: String(blocked) });
  }

  private appToken(method: string): string {
    if (!this.config.appToken) fail('MISSING_APP_TOKEN', `${method} needs an appToken`, 'The management API works with an app: set appToken (AT_…).');
    return this.config.appToken!;
  }

  private call(method: HttpMethod, operation: string, path: string, query?: Record<string, string>, body?: unknown): Promise<unknown> {
    const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
    return this.pipeline.call(
      {
        operation,
        build: () => ({
          method,
          url: `${this.config.baseUrl}${path}${qs}`,
          ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
        }),
        parse: (res) => classifyWxPusher(this.pipeline, operation, res),
      },
      new SendStats(),
    );
  }
}

function followerId(id: number | string): string {
  const value = String(id ?? '').trim();
  if (!/^\d+$/.test(value)) fail('INVALID_ARGUMENT', 'follower id must be a number', 'Use the `id` field from listUsers (not the uid).');
  return value;
}
