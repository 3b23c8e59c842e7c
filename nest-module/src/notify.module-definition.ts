import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NotifyModuleOptions } from './notify.options.js';

export const {
  ConfigurableModuleClass: NotifyConfigurableModule,
  MODULE_OPTIONS_TOKEN: NOTIFY_MODULE_OPTIONS,
  OPTIONS_TYPE: NOTIFY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NOTIFY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NotifyModuleOptions>({ moduleName: 'Notify' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createNotifyOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
