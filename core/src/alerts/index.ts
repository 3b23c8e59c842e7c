/**
 * Alert intake and rendering, shared by every host (gateway, n8n nodes, NestJS module).
 *
 * ```ts
 * import { parseAlerts, groupAlerts, renderAlertGroup } from '@wxnotify/core';
 *
 * // 1. Parse a webhook body (Alertmanager v4, Grafana unified alerting, or the plain
 * //    {title, content, severity?, status?, labels?, fingerprint?, url?} / a list of those).
 * //    The format is detected; `format: 'alertmanager' | 'grafana' | 'json'` forces one.
 * //    Bad input throws AlertPayloadError (a validation NotifyError) whose `field` names the JSON path.
 * const batch = parseAlerts(body, { now: clock.now() });
 *
 * // 2. Group by labels (Alertmanager semantics; default ['alertname'], ['...'] = every label).
 * //    Alerts are de-duplicated by fingerprint (the sender's, or one derived from the labels).
 * const groups = groupAlerts(batch.alerts, ['alertname', 'cluster']);
 *
 * // 3. Render one message per group for a channel type, in its default template:
 * //    wecom-bot → markdown with severity colours; wecom-app → text card (markdown without a link,
 * //    the app's markdownFallback covers WeChat readers); wxpusher → markdown; gewechat / wecom-hook → text.
 * const notification = renderAlertGroup(groups[0], {
 *   channel: 'wecom-bot',
 *   language: 'zh',               // or 'en'
 *   timeZone: 'Asia/Shanghai',    // default
 *   style: 'text',                // optional: 'markdown' | 'text' | 'textcard'
 *   mentions: { critical: { users: ['zhangsan'], mobiles: ['13800000000'] } }, // robots, firing only
 * });
 * await channel.send({ ...notification, to });
 * ```
 *
 * Custom templates: `alertGroupView(group, options)` returns the data the default templates
 * read (heading, counts, formatted times, durations, links); hand it to the core template engine.
 */
export * from './model';
export { AlertPayloadError, isAlertPayloadError, alertOptionsError } from './errors';
export { fingerprintFromLabels } from './fingerprint';
export { parseAlerts, detectAlertFormat, type ParseAlertsOptions } from './parse';
export { MAX_ALERTS_PER_PAYLOAD } from './parse-webhook';
export * from './group';
export * from './format';
export * from './view';
export * from './render';
export * from './card';
export * from './template';
