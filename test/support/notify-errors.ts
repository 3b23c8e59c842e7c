import { NotifyError } from '@wxnotify/core';

/** The NotifyError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<NotifyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NotifyError);
    return error as NotifyError;
  }
  throw new Error('expected the call to fail');
}

/** The NotifyError a synchronous call throws. */
export function caught(fn: () => unknown): NotifyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NotifyError);
    return error as NotifyError;
  }
  throw new Error('expected a NotifyError');
}
