import { AlertPayloadError } from './errors';
import { arrayAt, isObject, lenientUrl, objectAt, optionalString, statusAt, stringMap, timeAt, type Json } from './fields';
import { fingerprintFromLabels } from './fingerprint';
import type { Alert, AlertBatch } from './model';

export const MAX_ALERTS_PER_PAYLOAD = 5000;
const FINGERPRINT = /^[0-9A-Za-z_-]{1,64}$/;

/** Alertmanager's receiver name arrives through regexp.QuoteMeta (`ops\.wecom`). */
function unquoteMeta(value: string): string {
  return value.replace(/\\([\\.+*?()|[\]{}^$])/g, '$1');
}

function grafanaValues(obj: Json, path: string): Record<string, number> | undefined {
  const raw = obj.values;
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new AlertPayloadError(`${path}values`, 'must be an object of numbers');
  const out: Record<string, number> = {};
  for (const [ref, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) out[ref] = v;
  return Object.keys(out).length ? out : undefined;
}

function webhookAlert(raw: unknown, path: string, grafana: boolean, receivedAt: number): Alert {
  const obj = objectAt(raw, path.slice(0, -1));
  const status = statusAt(obj, 'status', path);
  const labels = stringMap(obj, 'labels', path);
  const annotations = stringMap(obj, 'annotations', path);
  const given = optionalString(obj, 'fingerprint', path)?.trim();
  if (given && !FINGERPRINT.test(given)) throw new AlertPayloadError(`${path}fingerprint`, 'must be 1-64 letters, digits, "-" or "_"');
  const links: Alert['links'] = {};
  for (const key of ['generatorURL', 'dashboardURL', 'panelURL', 'silenceURL', 'imageURL'] as const) {
    const url = lenientUrl(obj, key, path);
    if (url) links[key] = url;
  }
  const endsAt = timeAt(obj, 'endsAt', path);
  const alert: Alert = {
    status,
    severity: (labels.severity ?? '').trim().toLowerCase(),
    name: labels.alertname ?? annotations.summary ?? '',
    summary: annotations.summary ?? '',
    description: annotations.description ?? '',
    labels,
    annotations,
    startsAt: timeAt(obj, 'startsAt', path) ?? new Date(receivedAt).toISOString(),
    ...(status === 'resolved' ? { endsAt: endsAt ?? new Date(receivedAt).toISOString() } : {}),
    fingerprint: given || fingerprintFromLabels(labels),
    fingerprintSource: given ? 'payload' : 'labels',
    links,
  };
  if (grafana) {
    const values = grafanaValues(obj, path);
    if (values) alert.values = values;
  }
  return alert;
}

/**
 * Alertmanager webhook (version 4) and Grafana unified alerting webhook (version 1, and its
 * `v0mimir1` variant with version 4): the same envelope, Grafana adds links and values per alert.
 */
export function parseWebhookPayload(body: unknown, format: 'alertmanager' | 'grafana', receivedAt: number): AlertBatch {
  const obj = objectAt(body, 'body');
  const version = obj.version;
  if (version !== undefined && typeof version !== 'string') throw new AlertPayloadError('version', 'must be a string');
  if (format === 'alertmanager' && version !== '4') {
    throw new AlertPayloadError('version', `must be "4" for an Alertmanager webhook (got ${version === undefined ? 'none' : JSON.stringify(version)})`, 'Alertmanager webhook_configs send version 4; Grafana sends version 1 (use format grafana), plain alerts use format json.');
  }
  const alerts = arrayAt(obj, 'alerts', '', MAX_ALERTS_PER_PAYLOAD).map((a, i) => webhookAlert(a, `alerts[${i}].`, format === 'grafana', receivedAt));
  const truncated = obj.truncatedAlerts;
  if (truncated !== undefined && (typeof truncated !== 'number' || !Number.isInteger(truncated) || truncated < 0)) {
    throw new AlertPayloadError('truncatedAlerts', 'must be a whole number ≥ 0');
  }
  const receiver = optionalString(obj, 'receiver', '');
  const batch: AlertBatch = {
    format,
    alerts,
    groupLabels: stringMap(obj, 'groupLabels', ''),
    commonLabels: stringMap(obj, 'commonLabels', ''),
    commonAnnotations: stringMap(obj, 'commonAnnotations', ''),
  };
  if (receiver) batch.receiver = unquoteMeta(receiver);
  const groupKey = optionalString(obj, 'groupKey', '');
  if (groupKey) batch.groupKey = groupKey;
  const externalURL = lenientUrl(obj, 'externalURL', '');
  if (externalURL) batch.externalURL = externalURL;
  if (truncated) batch.truncatedAlerts = truncated;
  if (format === 'grafana') {
    const title = optionalString(obj, 'title', '');
    const message = optionalString(obj, 'message', '');
    if (title) batch.title = title;
    if (message) batch.message = message;
  }
  return batch;
}
