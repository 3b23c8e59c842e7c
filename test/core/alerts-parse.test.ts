import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertPayloadError, detectAlertFormat, fingerprintFromLabels, groupAlerts, groupKeyOf, parseAlerts, validateGroupBy } from '@wxnotify/core';

const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(join(__dirname, '../fixtures/alerts', name), 'utf8'));
const NOW = Date.UTC(2026, 7, 1, 10, 5, 0);

function payloadError(fn: () => unknown): AlertPayloadError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AlertPayloadError);
    return error as AlertPayloadError;
  }
  throw new Error('expected an AlertPayloadError');
}

describe('parseAlerts: Alertmanager webhook v4', () => {
  it('normalises alerts, zero endsAt, nanoseconds and the quoted receiver', () => {
    const batch = parseAlerts(fixture('alertmanager-v4.json'), { now: NOW });
    expect(batch.format).toBe('alertmanager');
    expect(batch.receiver).toBe('ops.wecom');
    expect(batch.groupKey).toContain('DiskFull');
    expect(batch.externalURL).toBe('http://am.example:9093');
    const [firing, resolved] = batch.alerts;
    expect(firing).toMatchObject({
      status: 'firing',
      severity: 'critical',
      name: 'DiskFull',
      summary: 'Disk almost full',
      description: '/var is 97% full on db1',
      startsAt: '2026-08-01T10:00:00.123Z',
      fingerprint: '5ef77f1f8a3ecfa4',
      fingerprintSource: 'payload',
      links: { generatorURL: 'http://prom.example:9090/graph?g0.expr=disk_used_ratio%3E0.95' },
    });
    expect(firing.endsAt).toBeUndefined();
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-08-01T10:04:30.000Z', fingerprint: '0b3d4b2a77c91e10' });
  });

  it('names the bad field', () => {
    const body = fixture('alertmanager-v4.json');
    body.alerts[1].status = 'pending';
    expect(payloadError(() => parseAlerts(body)).field).toBe('alerts[1].status');
    const labels = fixture('alertmanager-v4.json');
    labels.alerts[0].labels = { instance: { nested: true } };
    expect(payloadError(() => parseAlerts(labels)).field).toBe('alerts[0].labels.instance');
    const time = fixture('alertmanager-v4.json');
    time.alerts[0].startsAt = 'yesterday';
    const error = payloadError(() => parseAlerts(time));
    expect(error.field).toBe('alerts[0].startsAt');
    expect(error.message).toContain('RFC 3339');
    expect(error.toJSON()).toMatchObject({ field: 'alerts[0].startsAt', code: 'INVALID_ALERT_PAYLOAD', retryable: false });
    const version = fixture('alertmanager-v4.json');
    version.version = '3';
    expect(payloadError(() => parseAlerts(version, { format: 'alertmanager' })).field).toBe('version');
    expect(payloadError(() => parseAlerts({ version: '4', alerts: 'x' })).field).toBe('alerts');
    expect(payloadError(() => parseAlerts({ version: '4', alerts: [42] })).field).toBe('alerts[0]');
  });
});

describe('parseAlerts: Grafana unified alerting webhook', () => {
  it('is detected and keeps dashboard, panel and silence links and values', () => {
    const body = fixture('grafana-v1.json');
    expect(detectAlertFormat(body)).toBe('grafana');
    const batch = parseAlerts(body, { now: NOW });
    expect(batch.format).toBe('grafana');
    expect(batch.title).toBe('[FIRING:1] HighCPU Infra (web-3 warning)');
    const [alert] = batch.alerts;
    expect(alert.severity).toBe('warning');
    expect(alert.values).toEqual({ B: 93.5, C: 1 });
    expect(Object.keys(alert.links).sort()).toEqual(['dashboardURL', 'generatorURL', 'panelURL', 'silenceURL']);
    expect(alert.links.panelURL).toContain('viewPanel=4');
  });

  it('reads the v0mimir1 variant (version 4 with Grafana links) as Grafana', () => {
    const body: Record<string, unknown> = { ...fixture('grafana-v1.json'), version: '4' };
    delete body.orgId;
    delete body.state;
    expect(detectAlertFormat(body)).toBe('grafana');
    expect(detectAlertFormat(fixture('alertmanager-v4.json'))).toBe('alertmanager');
  });
});

describe('parseAlerts: plain JSON', () => {
  it('takes one object, derives alertname and a label fingerprint', () => {
    const batch = parseAlerts({ title: 'Backup failed', content: 'nightly job exit 2', severity: 'Critical', labels: { host: 'nas' }, url: 'https://ci.example/job/7' }, { now: NOW });
    expect(batch.format).toBe('json');
    const [alert] = batch.alerts;
    expect(alert.labels).toEqual({ alertname: 'Backup failed', host: 'nas', severity: 'critical' });
    expect(alert.status).toBe('firing');
    expect(alert.startsAt).toBe(new Date(NOW).toISOString());
    expect(alert.fingerprint).toBe(fingerprintFromLabels(alert.labels));
    expect(alert.fingerprintSource).toBe('labels');
    expect(alert.links.url).toBe('https://ci.example/job/7');
  });

  it('takes a list; resolved without endsAt ends now; the fingerprint is order-independent', () => {
    const batch = parseAlerts(
      [
        { title: 'A', content: 'x', labels: { b: '2', a: '1' } },
        { title: 'A', content: 'x', status: 'resolved', labels: { a: '1', b: '2' }, fingerprint: 'job-7' },
      ],
      { now: NOW },
    );
    expect(batch.alerts).toHaveLength(2);
    expect(batch.alerts[1]).toMatchObject({ status: 'resolved', endsAt: new Date(NOW).toISOString(), fingerprint: 'job-7' });
    expect(fingerprintFromLabels({ a: '1', b: '2' })).toBe(fingerprintFromLabels({ b: '2', a: '1' }));
    expect(fingerprintFromLabels({ a: '1' })).not.toBe(fingerprintFromLabels({ a: '2' }));
  });

  it('names the bad field, also inside a list', () => {
    expect(payloadError(() => parseAlerts({ content: 'x' })).field).toBe('title');
    expect(payloadError(() => parseAlerts([{ title: 't', content: 'c' }, { title: 't' }])).field).toBe('[1].content');
    expect(payloadError(() => parseAlerts({ title: 't', content: 'c', status: 'ok' })).field).toBe('status');
    expect(payloadError(() => parseAlerts({ title: 't', content: 'c', url: 'ftp://x' })).field).toBe('url');
    expect(payloadError(() => parseAlerts([])).field).toBe('body');
    expect(payloadError(() => parseAlerts('text')).field).toBe('body');
  });

  it('a forced format wins over detection', () => {
    const am = fixture('alertmanager-v4.json');
    expect(payloadError(() => parseAlerts(am, { format: 'json' })).field).toBe('body');
    expect(parseAlerts(fixture('alertmanager-v4.json'), { format: 'grafana' }).format).toBe('grafana');
    expect(payloadError(() => parseAlerts(fixture('grafana-v1.json'), { format: 'alertmanager' })).field).toBe('version');
    expect(payloadError(() => parseAlerts({ title: 't', content: 'c' }, { format: 'grafana' })).field).toBe('alerts');
    expect(payloadError(() => parseAlerts({}, { format: 'xml' as never })).field).toBe('format');
  });
});

describe('grouping', () => {
  it('groups by the groupBy labels and de-duplicates by fingerprint', () => {
    const batch = parseAlerts(
      [
        { title: 'Down', content: 'a', labels: { cluster: 'bj', host: '1' } },
        { title: 'Down', content: 'b', labels: { cluster: 'sh', host: '2' } },
        { title: 'Down', content: 'a again', labels: { cluster: 'bj', host: '1' } },
        { title: 'Slow', content: 'c', labels: { cluster: 'bj', host: '3' } },
      ],
      { now: NOW },
    );
    const byName = groupAlerts(batch.alerts);
    expect(byName.map((g) => [g.key, g.alerts.length])).toEqual([
      ['{alertname="Down"}', 2],
      ['{alertname="Slow"}', 1],
    ]);
    expect(byName[0].alerts.find((a) => a.labels.host === '1')!.summary).toBe('a again');
    expect(groupAlerts(batch.alerts, ['cluster', 'alertname']).map((g) => g.key)).toEqual([
      '{alertname="Down",cluster="bj"}',
      '{alertname="Down",cluster="sh"}',
      '{alertname="Slow",cluster="bj"}',
    ]);
    expect(groupAlerts(batch.alerts, [])).toHaveLength(1);
    expect(groupAlerts(batch.alerts, ['...'])).toHaveLength(3);
    expect(groupKeyOf(batch.alerts[0], ['missing'])).toBe('{}');
  });

  it('validates groupBy', () => {
    expect(validateGroupBy(undefined)).toEqual(['alertname']);
    expect(() => validateGroupBy(['ok', 'bad-label'])).toThrow(/bad-label/);
    expect(() => validateGroupBy(['...', 'x'])).toThrow(/cannot be combined/);
    expect(() => validateGroupBy('alertname')).toThrow(/list/);
  });
});
