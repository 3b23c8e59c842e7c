import { statfs } from 'node:fs/promises';
import type { HealthStatus } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import { isStoreUnavailable } from '../store/sql-driver.js';
import type { GatewayStore } from '../store/store.js';
import type { ChannelSender } from './channel-sender.js';

/** Every part of a probe answers within this bound, so load balancers get an answer within 2 s. */
const CHECK_TIMEOUT_MS = 1500;

export interface HealthReport {
  ok: boolean;
  message: string;
}

export interface HealthProbeOptions {
  /** Channel checked by `/health` (the personal-WeChat account), if any. */
  channel?: string;
  /** Data dir of the embedded store: reported when its free space falls under `minFreeBytes`. */
  dataDir?: string;
  minFreeBytes: number;
  /** The personal-WeChat check calls gewechat: its answer is reused this long (a check in flight always is). */
  channelCacheMs: number;
  now?: () => number;
}

class TimedOut extends Error {}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What `/health` reports: the store answers, the data dir's disk has room (embedded store), and
 * the personal-WeChat account is online. The channel check is cached and single-flight, and every
 * part is bounded, so a hung gewechat or database gives a 503 in about 1.5 s, not after 41 s.
 */
export class HealthProbe {
  /** The last gewechat check: reused while in flight, then for `channelCacheMs` after it answered. */
  private channelCheck?: { at: number; done: boolean; status: Promise<HealthStatus> };
  private readonly now: () => number;

  constructor(
    private readonly store: GatewayStore,
    private readonly channels: ChannelSender,
    private readonly logger: GatewayLogger,
    private readonly options: HealthProbeOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async check(): Promise<HealthReport> {
    const [store, disk, channel] = await Promise.all([this.storeCheck(), this.diskCheck(), this.wechatCheck()]);
    return store ?? disk ?? channel ?? { ok: true, message: '服务正常运行中' };
  }

  private async storeCheck(): Promise<HealthReport | undefined> {
    try {
      await bounded(this.store.countApiKeys(), CHECK_TIMEOUT_MS);
      return undefined;
    } catch (error) {
      const reason = error instanceof TimedOut ? 'no answer in time' : isStoreUnavailable(error) ? error.reason : 'query failed';
      return { ok: false, message: `存储不可用 (store unavailable: ${reason})` };
    }
  }

  private async diskCheck(): Promise<HealthReport | undefined> {
    if (!this.options.dataDir) return undefined;
    try {
      const fs = await bounded(statfs(this.options.dataDir), CHECK_TIMEOUT_MS);
      const free = fs.bavail * fs.bsize;
      if (free >= this.options.minFreeBytes) return undefined;
      return { ok: false, message: `磁盘空间不足 (disk almost full: ${Math.floor(free / 1024 / 1024)} MB free in the data dir; accepted sends cannot be stored)` };
    } catch {
      return { ok: false, message: '数据目录不可读 (the data dir cannot be read)' };
    }
  }

  private async wechatCheck(): Promise<HealthReport | undefined> {
    const name = this.options.channel;
    if (!name || !this.channels.has(name)) return undefined;
    const t = this.now();
    if (!this.channelCheck || (this.channelCheck.done && t - this.channelCheck.at >= this.options.channelCacheMs)) {
      const check: { at: number; done: boolean; status: Promise<HealthStatus> } = { at: t, done: false, status: Promise.resolve({ ok: true, message: '' }) };
      check.status = this.channels
        .check(name)
        .catch((error: unknown) => ({ ok: false, message: this.logger.redact((error as Error)?.message ?? 'check failed') }) as HealthStatus)
        .finally(() => {
          check.done = true;
          check.at = this.now();
        });
      this.channelCheck = check;
    }
    try {
      const health = await bounded(this.channelCheck.status, CHECK_TIMEOUT_MS);
      return health.ok ? undefined : { ok: false, message: health.message };
    } catch {
      return { ok: false, message: '个人微信检查超时 (the gewechat check did not answer in time)' };
    }
  }
}
