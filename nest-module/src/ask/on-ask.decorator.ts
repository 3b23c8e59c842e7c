import { extendArrayMetadata } from '@nestjs/common/utils/extend-metadata.util.js';
import type { AskAnsweredEvent, AskTimeoutEvent } from './ask.types.js';

/** Metadata key of `@OnAskAnswered` / `@OnAskTimeout` (read by `AskHandlers`). */
export const ASK_HANDLER_METADATA = 'wxnotify:ask-handler';

export type AskHandlerKind = 'answered' | 'timeout';

export interface AskHandlerMetadata {
  kind: AskHandlerKind;
  /** Only questions asked with this `name`; every question when absent. */
  name?: string;
}

/** A method decorator that checks the method takes the event (any `context` type). */
type AskHandlerDecorator<E> = <M extends (event: E) => unknown>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>) => void;

function askHandler<E>(kind: AskHandlerKind, name: string | undefined, decorator: string): AskHandlerDecorator<E> {
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new TypeError(`@${decorator}(name): name must be a non-empty string`);
  return (_target, _key, descriptor) => {
    extendArrayMetadata(ASK_HANDLER_METADATA, [{ kind, ...(name !== undefined ? { name } : {}) } satisfies AskHandlerMetadata], descriptor.value as unknown as Function);
  };
}

/**
 * Runs the method once per answered `NotifyService.ask` question (once across every instance
 * sharing the store, also after a restart), with the `AskAnsweredEvent`; with `name`, only for
 * questions asked with that name: `@OnAskAnswered('refund') onRefund(answer: AskAnsweredEvent<{ orderId: string }>) {}`.
 * A handler that throws is logged and not run again. No EventEmitterModule needed.
 */
export function OnAskAnswered(name?: string): AskHandlerDecorator<AskAnsweredEvent<never>> {
  return askHandler('answered', name, 'OnAskAnswered');
}

/** Like `@OnAskAnswered`, for questions nobody answered before their deadline (`AskTimeoutEvent`). */
export function OnAskTimeout(name?: string): AskHandlerDecorator<AskTimeoutEvent<never>> {
  return askHandler('timeout', name, 'OnAskTimeout');
}
