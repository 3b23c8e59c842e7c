import { systemClock } from '../engine/clock';
import { AlertPayloadError } from './errors';
import { isObject } from './fields';
import { ALERT_FORMATS, type AlertBatch, type AlertFormat } from './model';
import { parseJsonPayload } from './parse-json';
import { parseWebhookPayload } from './parse-webhook';

export interface ParseAlertsOptions {
  /** Forces a format (`?format=` on the gateway); default: detected from the body. */
  format?: AlertFormat | 'auto';
  /** Receive time in ms (default now): `startsAt` of plain alerts without one, `endsAt` of resolved ones without one. */
  now?: number;
}

/**
 * Which format a body is: Grafana has `orgId`/`state` or Grafana-only alert links; Alertmanager
 * has `alerts` (version "4"); everything else is tried as plain JSON.
 */
export function detectAlertFormat(body: unknown): AlertFormat {
  if (!isObject(body) || !('alerts' in body) || ('title' in body && 'content' in body)) return 'json';
  const grafanaAlert = Array.isArray(body.alerts) && body.alerts.some((a) => isObject(a) && ('silenceURL' in a || 'dashboardURL' in a || 'panelURL' in a || 'valueString' in a));
  if ('orgId' in body || 'state' in body || body.version === '1' || grafanaAlert) return 'grafana';
  return 'alertmanager';
}

/** Parses and validates one webhook body; throws AlertPayloadError naming the first bad field. */
export function parseAlerts(body: unknown, options: ParseAlertsOptions = {}): AlertBatch {
  const forced = options.format && options.format !== 'auto' ? options.format : undefined;
  if (forced && !ALERT_FORMATS.includes(forced)) throw new AlertPayloadError('format', `must be one of ${ALERT_FORMATS.join(', ')}`);
  const format = forced ?? detectAlertFormat(body);
  const now = options.now ?? systemClock.now();
  if (format === 'json') {
    if (isObject(body) && Array.isArray(body.alerts) && !('title' in body)) {
      throw new AlertPayloadError('body', 'looks like a webhook with "alerts" but was read as plain JSON', 'Drop ?format=json, or send {title, content} objects.');
    }
    return parseJsonPayload(body, now);
  }
  return parseWebhookPayload(body, format, now);
}
