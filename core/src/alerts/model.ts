/** Where a payload came from. `json` is wxnotify's own plain shape. */
export type AlertFormat = 'alertmanager' | 'grafana' | 'json';
export const ALERT_FORMATS: readonly AlertFormat[] = ['alertmanager', 'grafana', 'json'];

export type AlertStatus = 'firing' | 'resolved';

/** Links an alert carries; absent ones are left out (never empty strings). */
export interface AlertLinks {
  /** The rule or expression in the source (Prometheus graph URL, Grafana rule view). */
  generatorURL?: string;
  /** Grafana: dashboard and panel of the rule, and a prefilled "new silence" form. */
  dashboardURL?: string;
  panelURL?: string;
  silenceURL?: string;
  imageURL?: string;
  /** Plain JSON: the caller's `url`. */
  url?: string;
}

/** One alert, the same whatever the source format. */
export interface Alert {
  status: AlertStatus;
  /** `labels.severity` (or the plain JSON `severity`), lower-cased; `''` when none was given. */
  severity: string;
  /** `labels.alertname`, else the plain JSON `title`. */
  name: string;
  /** `annotations.summary` (or the plain JSON `content`), else `''`. */
  summary: string;
  /** `annotations.description`, else `''`. */
  description: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO-8601. Plain JSON without `startsAt`: the time it was received. */
  startsAt: string;
  /** ISO-8601 once resolved; undefined while firing (Alertmanager's `0001-01-01T00:00:00Z`). */
  endsAt?: string;
  /** The sender's fingerprint, or one derived from the labels (`fingerprintFromLabels`). */
  fingerprint: string;
  fingerprintSource: 'payload' | 'labels';
  links: AlertLinks;
  /** Grafana: evaluated values by refId, e.g. `{B: 44.2}`. */
  values?: Record<string, number>;
}

/** A parsed webhook: the alerts plus what the sender said about the whole message. */
export interface AlertBatch {
  format: AlertFormat;
  alerts: Alert[];
  receiver?: string;
  /** Alertmanager/Grafana aggregation group key (stable for the life of the group). */
  groupKey?: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
  /** Alerts the sender cut off (`max_alerts`). */
  truncatedAlerts?: number;
  /** Grafana's rendered title/message settings. */
  title?: string;
  message?: string;
}
