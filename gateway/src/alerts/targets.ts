import { validationError, WECOM_APP_LIMITS, type Notification, type SendOptions, type SendResult, type TemplateCardUpdate } from '@wxnotify/core';
import type { ChannelSender } from '../services/channel-sender.js';
import type { CodeService } from '../services/code-service.js';
import { recipientsFor } from '../services/code-recipients.js';
import type { CodeRecord, Recipients } from '../store/store.js';
import type { RoutesConfig } from './routes.js';

/** A resolved receiver: what renders for it and how to send there. */
export interface AlertTarget {
  /** `code:<id>` or `receiver:<name>` (the key groups are stored under), or `channel:<name>` (delivery-log rows of named-channel sends). */
  key: string;
  label: string;
  channelType: string;
  recipients: unknown;
  /** `options.signal`: the flush lost its lease (the send is aborted, another replica sends it). */
  send(notification: Notification<unknown, unknown>, options?: SendOptions): Promise<SendResult>;
  /** WeCom app Codes: recall a message (true when done, false when the channel cannot). */
  recall?(msgid: string): Promise<boolean>;
  /** Codes with their own WeCom app and recipients that fit one call: alert cards with buttons, and their updates. */
  cards?: { corpId: string; agentId: number; update(update: TemplateCardUpdate): Promise<unknown> };
}

const unavailable = (message: string) => validationError('gateway', 'RECEIVER_UNAVAILABLE', message, 'Check the routes file and the Code (it may have been revoked).');

/** Turns receiver keys into targets: the intake Code, a Code named in the routes file, or a named channel. */
export class AlertTargets {
  constructor(
    private readonly codes: CodeService,
    private readonly channels: ChannelSender,
    private readonly routes: RoutesConfig | undefined,
  ) {}

  static codeKey(codeId: string): string {
    return `code:${codeId}`;
  }

  static receiverKey(name: string): string {
    return `receiver:${name}`;
  }

  /** A named channel as it is (its own default recipients, or the notification's `to`). */
  static channelKey(name: string): string {
    return `channel:${name}`;
  }

  async resolve(key: string): Promise<AlertTarget> {
    if (key.startsWith('code:')) {
      const record = await this.codes.get(key.slice(5));
      if (!record || record.revokedAt) throw unavailable(`the Code of this group is gone or revoked`);
      return this.forCode(key, record);
    }
    if (key.startsWith('channel:')) return this.forChannel(key, key.slice('channel:'.length));
    const name = key.slice('receiver:'.length);
    const spec = this.routes?.receivers.get(name);
    if (!spec) throw unavailable(`receiver "${name}" is not in the routes file`);
    if ('code' in spec) {
      const record = await this.findCode(spec.code);
      if (!record) throw unavailable(`receiver "${name}": no active Code "${spec.code}"`);
      return { ...this.forCode(key, record), label: `${name} → ${record.name}` };
    }
    const type = this.channels.typeOf(spec.channel);
    if (!type) throw unavailable(`receiver "${name}": channel "${spec.channel}" is not configured`);
    const to = spec.to === undefined ? undefined : recipientsFor(type, spec.to);
    return {
      key,
      label: `${name} → ${spec.channel}`,
      channelType: type,
      recipients: to ?? null,
      send: (n, options) => this.channels.send(spec.channel, { ...n, ...(to ? { to } : {}) } as Notification<any, any>, options),
    };
  }

  /** A Code by id or by name (routes files name them; names are not unique, the newest active wins). */
  async findCode(ref: string): Promise<CodeRecord | undefined> {
    const byId = await this.codes.get(ref);
    if (byId && !byId.revokedAt) return byId;
    return (await this.codes.list()).find((c) => !c.revokedAt && c.name === ref);
  }

  /** Start-up check: every receiver of the routes file points at something that exists. */
  async validate(): Promise<string[]> {
    const problems: string[] = [];
    for (const spec of this.routes?.receivers.values() ?? []) {
      if ('code' in spec && !(await this.findCode(spec.code))) problems.push(`receivers.${spec.name}: no active Code with id or name "${spec.code}"`);
      if ('channel' in spec) {
        const type = this.channels.typeOf(spec.channel);
        if (!type) problems.push(`receivers.${spec.name}: channel "${spec.channel}" is not configured (${this.channels.names().join(', ') || 'none'})`);
        else if (spec.to !== undefined) {
          try {
            recipientsFor(type, spec.to);
          } catch (error) {
            problems.push(`receivers.${spec.name}.to: ${(error as Error & { upstreamMessage?: string }).upstreamMessage ?? (error as Error).message}`);
          }
        }
      }
    }
    return problems;
  }

  private forChannel(key: string, name: string): AlertTarget {
    const type = this.channels.typeOf(name);
    if (!type) throw unavailable(`channel "${name}" is not configured`);
    return { key, label: name, channelType: type, recipients: null, send: (n, options) => this.channels.send(name, n as Notification<any, any>, options) };
  }

  private forCode(key: string, record: CodeRecord): AlertTarget {
    const app = this.codes.ownApp(record);
    return {
      key,
      label: record.name,
      channelType: record.channelType,
      recipients: record.recipients ?? null,
      send: (n, options) => this.codes.deliver(record, n, options),
      recall: (msgid) => this.codes.recall(record, msgid),
      ...(app && fitsOneCall(record.recipients as Recipients | null) ? { cards: { ...app, update: (u: TemplateCardUpdate) => this.codes.updateCard(record, u) } } : {}),
    };
  }
}

/** An interactive card goes out in one message/send call (its task id cannot be sent twice). */
function fitsOneCall(to: Recipients | null | undefined): boolean {
  if (!to || to.all) return true;
  return (to.users?.length ?? 0) <= WECOM_APP_LIMITS.usersPerCall && (to.parties?.length ?? 0) <= WECOM_APP_LIMITS.partiesPerCall && (to.tags?.length ?? 0) <= WECOM_APP_LIMITS.tagsPerCall;
}
