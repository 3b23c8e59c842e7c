import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import {
  alertGroupView,
  compileTemplate,
  DEFAULT_GROUP_BY,
  groupAlerts,
  isNotifyError,
  parseAlerts,
  renderAlertDigest,
  renderAlertGroup,
  type AlertFormat,
  type AlertGroup,
  type AlertRenderOptions,
  type Notification,
  type SendResult,
} from '@wxnotify/core';
import { NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { NotifyService } from '../notify.service.js';

export interface NotifyAlertOptions extends Omit<AlertRenderOptions, 'channel'> {
  /** Channel name from the module options (default `defaultChannel`); its type picks the default template. */
  channel?: string;
  /** Labels that make one message (Alertmanager semantics). Default `['alertname']`; `['...']` = every label. */
  groupBy?: readonly string[];
  /** Forces the payload format; default detected (Alertmanager v4, Grafana, plain JSON). */
  format?: AlertFormat | 'auto';
  /** Recipients, passed to the core unchanged (default: the channel's defaultTo). */
  to?: Notification['to'];
  /** All groups of the payload in ONE message (a storm becomes one readable message). */
  digest?: boolean;
  /** Your own content over the core's view of a group: `{{group.heading}}`, `{{group.countsText}}`, `{{group.alerts.0.summary}}`. */
  template?: string;
}

/** One message to send: the group it came from and the rendered notification. */
export interface RenderedAlert {
  channel: string;
  /** Group keys in the message (one, or all of them for a digest). */
  groupKeys: string[];
  notification: Notification;
}

/**
 * Alert webhooks received by the app itself (Alertmanager, Grafana, plain JSON), rendered by the
 * core's alert renderer, the same the gateway and the n8n nodes use. Times are shown in the
 * module's `timeZone` (default Asia/Shanghai) unless the call says otherwise. A bad payload is a
 * 400 (`BadRequestException` naming the JSON field), never a 500.
 *
 *   @Post('alerts') receive(@Body() body: unknown) { return this.alerts.dispatch(body, { channel: 'team' }); }
 */
@Injectable()
export class NotifyAlerts {
  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Inject(NotifyService) private readonly notify: NotifyService,
  ) {}

  /** Parses, groups and renders; sends nothing. */
  render(body: unknown, options: NotifyAlertOptions = {}): RenderedAlert[] {
    return asBadRequest(() => {
      const channel = options.channel ?? this.notify.defaultChannel;
      const type = this.notify.channel(channel).type;
      const batch = parseAlerts(body, { format: options.format, now: this.runtime.context.clock.now() });
      const groups = groupAlerts(batch.alerts, options.groupBy ?? DEFAULT_GROUP_BY);
      const renderOptions: AlertRenderOptions = { ...options, channel: type, timeZone: options.timeZone ?? this.runtime.options.timeZone, truncatedAlerts: options.truncatedAlerts ?? batch.truncatedAlerts };
      const custom = options.template !== undefined ? compileTemplate(options.template, { namespaces: ['group'], timeZone: renderOptions.timeZone }) : undefined;
      const to = options.to !== undefined ? { to: options.to } : {};
      const one = (message: Notification, of: AlertGroup[]): RenderedAlert => ({ channel: channel!, groupKeys: of.map((g) => g.key), notification: { ...message, ...to } });
      if (groups.length === 0) return [];
      if (options.digest && groups.length > 1) return [one(renderAlertDigest(groups, renderOptions) as Notification, groups)];
      return groups.map((group) => {
        if (!custom) return one(renderAlertGroup(group, renderOptions) as Notification, [group]);
        const view = alertGroupView(group, renderOptions);
        return one({ content: custom.render({ group: view }, { maxBytes: this.runtime.options.maxTemplateBytes, now: this.runtime.context.clock.now() }) }, [group]);
      });
    });
  }

  /** Renders and sends now, one message per group (or one digest); resolves with the core's results. */
  async send(body: unknown, options: NotifyAlertOptions = {}): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const message of this.render(body, options)) results.push(await this.notify.send(message.channel, message.notification));
    return results;
  }

  /** Renders now (a bad payload throws the 400), sends fire-and-forget like `@Notify`. */
  dispatch(body: unknown, options: NotifyAlertOptions = {}): { accepted: number; messages: number } {
    const messages = this.render(body, options);
    for (const message of messages) this.notify.dispatch(message.notification, message.channel);
    return { accepted: messages.reduce((n, m) => n + m.groupKeys.length, 0), messages: messages.length };
  }
}

/** The core's validation errors (payload fields, options) as a 400 with the field and the hint. */
function asBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isNotifyError(error) && error.kind === 'validation') {
      const field = (error as { field?: string }).field;
      throw new BadRequestException({ statusCode: 400, error: String(error.code), message: error.upstreamMessage, ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}
