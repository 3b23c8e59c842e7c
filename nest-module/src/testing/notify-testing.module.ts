import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NOTIFY_DISPATCHER, NOTIFY_RUNTIME, NOTIFY_WORKER } from '../notify.constants.js';
import { NOTIFY_MODULE_OPTIONS } from '../notify.module-definition.js';
import { NOTIFY_EXPORTS, NOTIFY_SERVICE_PROVIDERS } from '../notify.module.js';
import type { NotifyModuleOptions } from '../notify.options.js';
import { NotifyRecorder } from './notify-recorder.js';
import { createTestingRuntime, type NotifyTestingOptions } from './testing-runtime.js';

export interface NotifyTestingModuleOptions extends NotifyTestingOptions {
  isGlobal?: boolean;
  /** Record into this recorder; default a new one, injectable as `NotifyRecorder`. */
  recorder?: NotifyRecorder;
}

/**
 * `NotifyModule` for users' own tests: the same NotifyService, `@Notify` interceptor, events and
 * health, with in-memory channels that record instead of sending. No fake server, no network.
 *
 *   imports: [NotifyTestingModule.forRoot({ channels: ['ops'] })]
 *   await app.get(NotifyRecorder).expectSent('新用户已加入：erin');
 */
@Module({})
export class NotifyTestingModule {
  static forRoot(options: NotifyTestingModuleOptions = {}): DynamicModule {
    const { isGlobal, recorder = new NotifyRecorder(), ...runtimeOptions } = options;
    return {
      module: NotifyTestingModule,
      global: isGlobal ?? false,
      imports: [DiscoveryModule],
      providers: [
        { provide: NOTIFY_RUNTIME, useFactory: () => createTestingRuntime(runtimeOptions, recorder) },
        { provide: NOTIFY_DISPATCHER, useValue: null },
        { provide: NotifyRecorder, useValue: recorder },
        ...NOTIFY_SERVICE_PROVIDERS,
      ],
      exports: [...NOTIFY_EXPORTS, NotifyRecorder],
    };
  }
}

/** The part of @nestjs/testing's TestingModuleBuilder used here (no import of @nestjs/testing). */
export interface ProviderOverridable {
  overrideProvider(token: unknown): {
    useValue(value: unknown): ProviderOverridable;
    useFactory(options: { factory: (...args: any[]) => unknown; inject?: unknown[] }): ProviderOverridable;
  };
}

/**
 * For an app that imports the real `NotifyModule.forRoot(...)`: keeps its options (channel
 * names, templates, rules) and swaps the channels for memory channels, queue mode off.
 *
 *   const recorder = new NotifyRecorder();
 *   const app = (await overrideNotifyForTesting(Test.createTestingModule({ imports: [AppModule] }), recorder).compile()).createNestApplication();
 */
export function overrideNotifyForTesting<B extends ProviderOverridable>(builder: B, recorder: NotifyRecorder): B {
  return builder
    .overrideProvider(NOTIFY_RUNTIME)
    .useFactory({ factory: (options: NotifyModuleOptions) => createTestingRuntime(options, recorder), inject: [NOTIFY_MODULE_OPTIONS] })
    .overrideProvider(NOTIFY_DISPATCHER)
    .useValue(null)
    .overrideProvider(NOTIFY_WORKER)
    .useValue(null) as B;
}
