import { AlertPayloadError } from './errors';
import { objectAt, optionalString, optionalUrl, requiredString, statusAt, stringMap, timeAt } from './fields';
import { fingerprintFromLabels } from './fingerprint';
import type { Alert, AlertBatch } from './model';
import { MAX_ALERTS_PER_PAYLOAD } from './parse-webhook';

const FINGERPRINT = /^[0-9A-Za-z_.:-]{1,128}$/;

/**
 * wxnotify's plain shape: `{title, content, severity?, status?, labels?, fingerprint?, url?}`
 * (also `annotations`, `startsAt`, `endsAt`). `title` becomes the `alertname` label unless the
 * labels name one, so plain alerts group like Prometheus ones.
 */
function jsonAlert(raw: unknown, path: string, receivedAt: number): Alert {
  const obj = objectAt(raw, path.replace(/\.$/, '') || 'body');
  const title = requiredString(obj, 'title', path).trim();
  const content = requiredString(obj, 'content', path);
  const status = statusAt(obj, 'status', path, 'firing');
  const severity = optionalString(obj, 'severity', path)?.trim().toLowerCase();
  const labels: Record<string, string> = { alertname: title, ...stringMap(obj, 'labels', path) };
  if (severity) labels.severity = severity;
  const annotations: Record<string, string> = { summary: content, ...stringMap(obj, 'annotations', path) };
  const given = optionalString(obj, 'fingerprint', path)?.trim();
  if (given !== undefined && !FINGERPRINT.test(given)) throw new AlertPayloadError(`${path}fingerprint`, 'must be 1-128 letters, digits or ._:-');
  const url = optionalUrl(obj, 'url', path);
  const endsAt = timeAt(obj, 'endsAt', path);
  return {
    status,
    severity: (labels.severity ?? '').toLowerCase(),
    name: labels.alertname,
    summary: content,
    description: annotations.description ?? '',
    labels,
    annotations,
    startsAt: timeAt(obj, 'startsAt', path) ?? new Date(receivedAt).toISOString(),
    ...(status === 'resolved' ? { endsAt: endsAt ?? new Date(receivedAt).toISOString() } : {}),
    fingerprint: given || fingerprintFromLabels(labels),
    fingerprintSource: given ? 'payload' : 'labels',
    links: url ? { url } : {},
  };
}

export function parseJsonPayload(body: unknown, receivedAt: number): AlertBatch {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new AlertPayloadError('body', 'is an empty list', 'Send at least one {title, content}.');
    if (body.length > MAX_ALERTS_PER_PAYLOAD) throw new AlertPayloadError('body', `has more than ${MAX_ALERTS_PER_PAYLOAD} alerts`, 'Send the alerts in several requests.');
    return { format: 'json', alerts: body.map((a, i) => jsonAlert(a, `[${i}].`, receivedAt)) };
  }
  return { format: 'json', alerts: [jsonAlert(body, '', receivedAt)] };
}
