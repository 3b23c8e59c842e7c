import { NotifyError, validationError } from '../model/notify-error';

/** A payload that is not a valid alert webhook; `field` is the JSON path of the first bad field. */
export class AlertPayloadError extends NotifyError {
  readonly field: string;

  constructor(field: string, message: string, hint?: string) {
    super({ channel: 'alerts', code: 'INVALID_ALERT_PAYLOAD', kind: 'validation', retryable: false, message: `${field}: ${message}`, hint });
    this.name = 'AlertPayloadError';
    this.field = field;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

export function isAlertPayloadError(value: unknown): value is AlertPayloadError {
  return value instanceof AlertPayloadError;
}


/** Invalid render or grouping options (time zone, language, style, groupBy). */
export function alertOptionsError(message: string, hint?: string): NotifyError {
  return validationError('alerts', 'INVALID_ALERT_OPTIONS', message, hint);
}
