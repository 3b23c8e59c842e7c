import { isNotifyError, redactUrl } from '@wxnotify/core';

/** Text of an error that is safe to log: NotifyError messages are redacted by the core. */
export function describeError(error: unknown): string {
  if (isNotifyError(error)) return error.message;
  if (error instanceof Error) return redactUrl(`${error.name}: ${error.message}`);
  return redactUrl(String(error));
}
