import { randomUUID } from 'node:crypto';
import { isNotifyError, validationError, type ChannelContext, type Notification, type SendOptions, type SendResult, type TemplateCardUpdate, type TemplateCardUpdateResult, type WeComAppChannel } from '@wxnotify/core';
import { codeHint, hashSecret, looksLikeCode, newCode, sameHash } from '../security/codes.js';
import type { SecretBox } from '../security/secret-box.js';
import type { CodeRecord, GatewayStore, Recipients } from '../store/store.js';
import type { ChannelSender } from './channel-sender.js';
import { recipientsFor } from './code-recipients.js';
import { createWeComApp, type Department, type Member } from './wecom-app-adapter.js';

export interface CodeInput {
  name?: unknown;
  /** A named channel (WXNOTIFY_CHANNELS_FILE) instead of app credentials: robot, WxPusher, personal WeChat, JuHe, another app. */
  channel?: unknown;
  corpId?: unknown;
  corpSecret?: unknown;
  agentId?: unknown;
  to?: unknown;
  rateLimitPerMinute?: unknown;
}

/** What lists and the API show about a Code: never the Code, never the secret. */
export interface CodeSummary {
  id: string;
  name: string;
  hint: string;
  channelType: string;
  /** Codes on a named channel. */
  channel?: string;
  corpId?: string;
  agentId?: number;
  to: CodeRecord['recipients'] | null;
  rateLimitPerMinute: number | null;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  sendCount: number;
}

const MAX_LISTED_DEPARTMENTS = 20;
const MAX_RESOLVED_CODES = 10_000;
const ID_LIST = /^[A-Za-z0-9_@.\-]{1,64}$/;

function text(value: unknown, field: string, max: number, hint?: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw validationError('gateway', 'INVALID_INPUT', `${field} is required`, hint);
  const trimmed = value.trim();
  if (trimmed.length > max) throw validationError('gateway', 'INVALID_INPUT', `${field} is longer than ${max} characters`);
  return trimmed;
}

function idList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[|,;\s]+/) : undefined;
  if (!raw || raw.some((v) => typeof v !== 'string' && typeof v !== 'number')) throw validationError('gateway', 'INVALID_INPUT', `to.${field} must be a list of ids`);
  const list = [...new Set(raw.map((v) => String(v).trim()).filter(Boolean))];
  if (list.some((id) => !ID_LIST.test(id))) throw validationError('gateway', 'INVALID_INPUT', `to.${field} contains a malformed id`);
  return list.length ? list : undefined;
}

export function parseRecipients(value: unknown): Recipients {
  const to = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (!to) throw validationError('gateway', 'INVALID_INPUT', 'to is required', 'Pick members or departments: {"users": ["zhangsan"]}, {"parties": [2]} or {"all": true}.');
  if (to.all === true) return { all: true };
  const recipients: Recipients = {};
  const users = idList(to.users, 'users');
  const parties = idList(to.parties, 'parties');
  const tags = idList(to.tags, 'tags');
  if (users) recipients.users = users;
  if (parties) recipients.parties = parties;
  if (tags) recipients.tags = tags;
  if (!users && !parties && !tags) throw validationError('gateway', 'INVALID_INPUT', 'to needs users, parties, tags or all: true');
  return recipients;
}

function agentIdOf(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw validationError('gateway', 'INVALID_INPUT', 'agentId must be an integer', 'Use the AgentId shown on the app page, e.g. 1000002.');
  return n;
}

function rateOf(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw validationError('gateway', 'INVALID_INPUT', 'rateLimitPerMinute must be an integer from 1 to 100000');
  return n;
}

export function summarize(record: CodeRecord): CodeSummary {
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    channelType: record.channelType,
    ...(typeof record.config.channel === 'string'
      ? { channel: record.config.channel }
      : { corpId: String(record.config.corpId), agentId: Number(record.config.agentId) }),
    to: record.recipients ?? null,
    rateLimitPerMinute: record.rateLimitPerMinute,
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
    revokedAt: record.revokedAt,
    lastUsedAt: record.lastUsedAt,
    sendCount: record.sendCount,
  };
}

/** Config Codes: create, resolve, rotate, revoke, and send through the Code's WeCom app. */
export class CodeService {
  private readonly channels = new Map<string, { sealed: string; channel: WeComAppChannel }>();
  /** Usage counters are batched: a durable write per send would cost more than the send itself. */
  private readonly usage = new Map<string, { count: number; at: string }>();
  private flushTimer?: NodeJS.Timeout;
  /**
   * Active Codes already looked up (Code hash → record), when this process is the store's only
   * writer (the embedded SQLite file): every rotation and revocation passes through here, so the
   * map cannot go stale. Each SQLite read costs a lock-directory mkdir/rmdir pair, which made the
   * lookup about a third of a request. Replicas on Postgres always ask the store. Unknown Codes
   * are never kept.
   */
  private readonly resolved?: Map<string, CodeRecord>;

  constructor(
    private readonly store: GatewayStore,
    private readonly box: SecretBox,
    private readonly ctx: ChannelContext,
    private readonly options: { wecomBaseUrl?: string; timeoutMs: number; soleWriter?: boolean; channels?: ChannelSender },
  ) {
    if (options.soleWriter) this.resolved = new Map();
  }

  /** Checks WeCom credentials: fetches a token, then lists departments and members the app can see. */
  async verify(input: CodeInput): Promise<{ departments: Department[]; members: Member[] }> {
    const channel = this.build({ corpId: text(input.corpId, 'corpId', 64), corpSecret: text(input.corpSecret, 'corpSecret', 256), agentId: agentIdOf(input.agentId) });
    const health = await channel.check();
    if (!health.ok) throw validationError('wecom-app', 'VERIFY_FAILED', health.message, 'Check the Corp ID, the app Secret and the AgentId.');
    const departments = await channel.listDepartments();
    // Members of the first departments, a few calls at a time (the picker needs names, not the whole directory).
    const members = await channel.listMembers(departments.slice(0, MAX_LISTED_DEPARTMENTS).map((d) => d.id), { concurrency: 4 });
    return { departments, members };
  }

  async create(input: CodeInput): Promise<{ record: CodeRecord; code: string }> {
    if (input.channel !== undefined && input.channel !== '') return this.createOnChannel(input);
    const corpId = text(input.corpId, 'corpId', 64, 'Copy the Corp ID from My Company → Company Info.');
    const corpSecret = text(input.corpSecret, 'corpSecret', 256, 'Copy the Secret from the app page.');
    const agentId = agentIdOf(input.agentId);
    const recipients = parseRecipients(input.to);
    const rateLimitPerMinute = rateOf(input.rateLimitPerMinute);
    const name = input.name === undefined || input.name === '' ? `WeCom app ${agentId}` : text(input.name, 'name', 100);
    this.build({ corpId, corpSecret, agentId }); // validates the config through the core before anything is stored
    const code = newCode();
    const id = randomUUID();
    const record = await this.store.createCode({
      id,
      codeHash: hashSecret(code),
      hint: codeHint(code),
      name,
      channelType: 'wecom-app',
      config: { corpId, agentId },
      secretSealed: this.box.seal(corpSecret, id),
      recipients,
      rateLimitPerMinute,
    });
    return { record, code };
  }

  /** A Code on a named channel: the channel holds the credentials, the Code only its recipients. */
  private async createOnChannel(input: CodeInput): Promise<{ record: CodeRecord; code: string }> {
    const channel = text(input.channel, 'channel', 64);
    const channels = this.options.channels;
    const type = channels?.has(channel) ? channels.typeOf(channel) : undefined;
    if (!type) {
      throw validationError('gateway', 'UNKNOWN_CHANNEL', `channel "${channel}" is not configured`, `Configured: ${channels?.names().join(', ') || 'none'} (WXNOTIFY_CHANNELS_FILE).`);
    }
    const recipients = recipientsFor(type, input.to) ?? null;
    const name = input.name === undefined || input.name === '' ? `${channel} (${type})` : text(input.name, 'name', 100);
    const code = newCode();
    const record = await this.store.createCode({
      id: randomUUID(),
      codeHash: hashSecret(code),
      hint: codeHint(code),
      name,
      channelType: type,
      config: { channel },
      secretSealed: '',
      recipients: recipients as CodeRecord['recipients'],
      rateLimitPerMinute: rateOf(input.rateLimitPerMinute),
    });
    return { record, code };
  }

  /** The active record for a presented Code, or undefined (unknown, malformed or revoked). */
  async resolve(code: string): Promise<CodeRecord | undefined> {
    if (!looksLikeCode(code)) return undefined;
    const hash = hashSecret(code);
    const known = this.resolved?.get(hash);
    if (known) return known;
    const record = await this.store.findActiveCode(hash);
    if (!record || !sameHash(record.codeHash, hash)) return undefined;
    if (this.resolved) {
      if (this.resolved.size >= MAX_RESOLVED_CODES) this.resolved.clear();
      this.resolved.set(hash, record);
    }
    return record;
  }

  async list(): Promise<CodeRecord[]> {
    await this.flushUsage();
    return this.store.listCodes();
  }

  /** Writes the batched usage counters (also every few seconds, and at shutdown). */
  async flushUsage(): Promise<void> {
    const pending = [...this.usage.entries()];
    this.usage.clear();
    for (const [index, [id, { count, at }]] of pending.entries()) {
      try {
        await this.store.recordCodeUses(id, count, at);
      } catch (error) {
        // The store is away: keep what is not written yet for the next flush.
        for (const [laterId, use] of pending.slice(index)) {
          const newer = this.usage.get(laterId);
          this.usage.set(laterId, { count: use.count + (newer?.count ?? 0), at: newer?.at ?? use.at });
        }
        throw error;
      }
    }
  }

  startUsageFlush(intervalMs = 5000): void {
    this.flushTimer = setInterval(() => void this.flushUsage().catch(() => undefined), intervalMs);
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.flushUsage();
  }

  get(id: string): Promise<CodeRecord | undefined> {
    return this.store.getCode(id);
  }

  async rotate(id: string): Promise<{ record: CodeRecord; code: string } | undefined> {
    const code = newCode();
    this.forget(id);
    if (!(await this.store.rotateCode(id, hashSecret(code), codeHint(code)))) return undefined;
    return { record: (await this.store.getCode(id))!, code };
  }

  async revoke(id: string): Promise<boolean> {
    this.forget(id);
    const done = await this.store.revokeCode(id);
    this.channels.delete(id);
    return done;
  }

  /** Drops a Code from the lookup cache before its hash changes or it stops working. */
  private forget(id: string): void {
    if (!this.resolved) return;
    for (const [hash, record] of this.resolved) if (record.id === id) this.resolved.delete(hash);
  }

  async send(record: CodeRecord, message: { title?: string; content: string }): Promise<SendResult> {
    return this.deliver(record, { ...(message.title ? { title: message.title } : {}), content: message.content, format: 'markdown' });
  }

  /**
   * Sends any notification to the Code's channel and recipients (alerts use this with rendered
   * messages). `options.signal` aborts it (an alert flush whose lease was lost).
   */
  async deliver(record: CodeRecord, notification: Notification<unknown, unknown>, options?: SendOptions): Promise<SendResult> {
    const named = typeof record.config.channel === 'string' ? record.config.channel : undefined;
    const to = record.recipients ?? undefined;
    const result = named
      ? await this.namedChannels().send(named, { ...notification, ...(to ? { to } : {}) } as Notification<any, any>, options)
      : await this.channelFor(record).send({ ...notification, to: record.recipients } as Parameters<WeComAppChannel['send']>[0], options);
    const used = this.usage.get(record.id);
    this.usage.set(record.id, { count: (used?.count ?? 0) + 1, at: new Date().toISOString() });
    return result;
  }

  /** Recalls a message sent through the Code's own WeCom app (within WeCom's 24 h). False when the Code's channel cannot recall. */
  async recall(record: CodeRecord, msgid: string): Promise<boolean> {
    if (record.channelType !== 'wecom-app' || typeof record.config.channel === 'string') return false;
    await this.channelFor(record).recall(msgid);
    return true;
  }

  /** The WeCom app behind a Code that has its own app credentials (interactive cards need one); undefined for named channels. */
  ownApp(record: CodeRecord): { corpId: string; agentId: number } | undefined {
    if (record.channelType !== 'wecom-app' || typeof record.config.channel === 'string') return undefined;
    return { corpId: String(record.config.corpId), agentId: Number(record.config.agentId) };
  }

  /** Updates an interactive card sent through the Code's own WeCom app (message/update_template_card). */
  async updateCard(record: CodeRecord, update: TemplateCardUpdate): Promise<TemplateCardUpdateResult> {
    if (!this.ownApp(record)) throw validationError('gateway', 'NOT_A_WECOM_APP', 'only Codes with their own WeCom app send interactive cards');
    return this.channelFor(record).updateTemplateCard(update);
  }

  private namedChannels(): ChannelSender {
    if (!this.options.channels) throw validationError('gateway', 'UNKNOWN_CHANNEL', 'named channels are not available');
    return this.options.channels;
  }

  private channelFor(record: CodeRecord): WeComAppChannel {
    const cached = this.channels.get(record.id);
    if (cached && cached.sealed === record.secretSealed) return cached.channel;
    const channel = this.build({ corpId: String(record.config.corpId), corpSecret: this.box.open(record.secretSealed, record.id), agentId: Number(record.config.agentId) });
    this.channels.set(record.id, { sealed: record.secretSealed, channel });
    return channel;
  }

  private build(settings: { corpId: string; corpSecret: string; agentId: number }): WeComAppChannel {
    try {
      return createWeComApp({ ...settings, baseUrl: this.options.wecomBaseUrl, timeoutMs: this.options.timeoutMs }, this.ctx);
    } catch (error) {
      if (isNotifyError(error)) throw error;
      throw validationError('wecom-app', 'INVALID_CONFIG', (error as Error).message);
    }
  }
}
