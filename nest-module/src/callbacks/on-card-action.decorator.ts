import { extendArrayMetadata } from '@nestjs/common/utils/extend-metadata.util.js';
import { cardActionEvent } from './callbacks.events.js';

/** @nestjs/event-emitter's listener metadata key (that package stays an optional peer). */
const EVENT_LISTENER_METADATA = 'EVENT_LISTENER_METADATA';

/**
 * Runs the method with the `TemplateCardEvent` of every card click with this button key (reported once),
 * e.g. `@OnCardAction('approve') onApprove(event: TemplateCardEvent) {}`. Same as
 * `@OnEvent('wxnotify.card.<key>')`; needs EventEmitterModule and NotifyCallbacksModule with `wecom`.
 */
export function OnCardAction(key: string): MethodDecorator {
  return (_target, _name, descriptor) => {
    extendArrayMetadata(EVENT_LISTENER_METADATA, [{ event: cardActionEvent(key), options: undefined }], descriptor.value as unknown as Function);
    return descriptor;
  };
}
