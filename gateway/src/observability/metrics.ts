type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
}

/** A tiny Prometheus registry: counters, and gauges read at scrape time. Label values are never secrets. */
export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly gauges = new Map<string, { help: string; read: () => Promise<number> | number }>();

  constructor() {
    this.define('wxnotify_http_requests_total', 'HTTP requests by route and status.');
    this.define('wxnotify_sends_total', 'Sends by channel and result (ok, error, aborted: stopped by a lost lease or shutdown).');
    this.define('wxnotify_send_failures_total', 'Failed sends by channel and upstream/validation error code.');
    this.define('wxnotify_send_retries_total', 'Upstream requests retried by the core pipeline, by channel.');
    this.define('wxnotify_rate_limited_total', 'Requests answered 429 by the gateway, by scope.');
    this.define('wxnotify_callbacks_total', 'Upstream callbacks accepted, by source.');
    this.define('wxnotify_outbox_attempts_total', 'Delivery attempts of accepted asynchronous sends, by result (sent, retry, failed; lease-lost: another replica owns the entry; unconfirmed: aborted by a lost lease with a request on the wire).');
    this.define('wxnotify_alerts_received_total', 'Alerts received on /api/alerts, by format (alertmanager, grafana, json).');
    this.define('wxnotify_alerts_rejected_total', 'Alert webhooks refused with 400, by the field named.');
    this.define('wxnotify_alert_notifications_total', 'Alert messages sent to channels, by result (sent, failed; unconfirmed / lease-lost: aborted because the flush lost its lease).');
    this.define('wxnotify_alert_notifications_coalesced_total', 'Alert group notifications folded into a digest message instead of a message of their own.');
    this.define('wxnotify_alert_notifications_suppressed_total', 'Group flushes that sent nothing, by reason (unchanged, acknowledged, silenced, resolved without notice).');
    this.define('wxnotify_alert_recalls_total', 'Firing messages recalled when their group resolved, by result.');
    this.define('wxnotify_alert_card_actions_total', 'Clicks on alert card buttons (WeCom app Codes), by action (ack, silence_1h) and result (done, resolved = the group had resolved, ignored).');
    this.define('wxnotify_alert_card_updates_total', 'Alert card updates (update_template_card), by kind (click, resolved) and final result (ok, failed), retries included.');
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const family = this.families.get(name);
    if (!family) throw new Error(`unknown metric ${name}`);
    const key = labelKey(labels);
    const entry = family.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    family.values.set(key, entry);
  }

  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels))?.value ?? 0;
  }

  gauge(name: string, help: string, read: () => Promise<number> | number): void {
    this.gauges.set(name, { help, read });
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const { labels, value } of family.values.values()) {
        const key = labelKey(labels);
        lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
      }
    }
    for (const [name, gauge] of this.gauges) {
      let value = Number.NaN;
      try {
        value = await gauge.read();
      } catch {
        // An unreadable gauge is reported as NaN rather than failing the scrape.
      }
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private define(name: string, help: string): void {
    this.families.set(name, { help, type: 'counter', values: new Map() });
  }
}
