import { Module, type DynamicModule } from '@nestjs/common';
import { NOTIFY_CALLBACKS_OPTIONS, type NotifyCallbacksOptions } from './callbacks.options.js';
import { createCallbacksController } from './notify-callbacks.controller.js';
import { NotifyCallbacksService } from './notify-callbacks.service.js';

/**
 * Receives upstream callbacks and re-emits them as typed application events:
 *   NotifyCallbacksModule.forRoot({ wecom: { token, encodingAESKey, receiveId }, wxpusher: { secret } })
 * Only the configured sources answer; the others are 404.
 */
@Module({})
export class NotifyCallbacksModule {
  static forRoot(options: NotifyCallbacksOptions): DynamicModule {
    return {
      module: NotifyCallbacksModule,
      controllers: [createCallbacksController(options.path ?? 'wxnotify/callbacks')],
      providers: [{ provide: NOTIFY_CALLBACKS_OPTIONS, useValue: options }, NotifyCallbacksService],
      exports: [NotifyCallbacksService],
    };
  }
}
