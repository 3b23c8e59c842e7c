import { isNotifyError, type NotifyError } from "@wxnotify/core";

/**
 * The NotifyError a promise rejects with. Fails the test when the promise resolves or rejects with
 * anything else. Checked with `isNotifyError`, not `instanceof`: the ESM suites load the built core,
 * so an error may come from another copy of the class.
 */
export async function rejection(
  promise: Promise<unknown>,
): Promise<NotifyError> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved)
    throw new Error(
      `expected the call to fail with a NotifyError, but it resolved with ${show(outcome.value)}`,
    );
  if (!isNotifyError(outcome.error))
    throw new Error(`expected a NotifyError, got ${show(outcome.error)}`, {
      cause: outcome.error,
    });
  return outcome.error;
}

/** The NotifyError a synchronous call throws. */
export function caught(fn: () => unknown): NotifyError {
  try {
    fn();
  } catch (error) {
    if (!isNotifyError(error))
      throw new Error(`expected a NotifyError, got ${show(error)}`, {
        cause: error,
      });
    return error;
  }
  throw new Error("expected the call to throw a NotifyError");
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
