import { Module, type INestApplication, type LoggerService, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Clock } from '@wxnotify/core';
import { NotifyCallbacksModule, NotifyModule, NotifyService, type NotifyQueueOptions } from '@wxnotify/nestjs';
import type { FakeCallbackTarget, FakeWeCom } from '../../fakes/wecom';
import { waitFor } from './wait';

/** The WeCom callback keys the ask apps verify clicks with (the fake encrypts with the same). */
export const ASK_CALLBACK = { token: 'asktoken', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR' };

export const APPROVAL_CARD = {
  title: '发布审批',
  description: 'v1.4.2 → prod',
  buttons: [
    { text: '批准', key: 'approve', style: 1 as const },
    { text: '拒绝', key: 'reject', style: 2 as const },
  ],
};

export interface AskAppOptions {
  clock: Clock;
  /** The application's own providers (handlers). */
  providers?: Provider[];
  /** Extra modules, e.g. EventEmitterModule.forRoot(). */
  imports?: NonNullable<Parameters<typeof Module>[0]>['imports'];
  queue?: NotifyQueueOptions;
  logger?: LoggerService | false;
}

/** A real Nest app over HTTP: one `app` wecom-app channel on the fake, the callback route at `/hooks/wecom`. */
export interface AskApp {
  app: INestApplication;
  notify: NotifyService;
  /** Where the fake must post clicks to reach this app. */
  target: FakeCallbackTarget;
  close(): Promise<void>;
}

export async function startAskApp(wecom: FakeWeCom, options: AskAppOptions): Promise<AskApp> {
  @Module({
    imports: [
      ...(options.imports ?? []),
      NotifyModule.forRoot({
        channels: { app: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url } },
        defaultChannel: 'app',
        deps: { clock: options.clock, retry: { maxAttempts: 1 } },
        ...(options.queue ? { queue: options.queue } : {}),
      }),
      NotifyCallbacksModule.forRoot({ path: 'hooks', wecom: { ...ASK_CALLBACK, receiveId: wecom.corpId } }),
    ],
    providers: options.providers ?? [],
  })
  class AskAppModule {}
  const app = await NestFactory.create(AskAppModule, { logger: options.logger ?? false, rawBody: true, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  let closed = false;
  return {
    app,
    notify: app.get(NotifyService),
    target: { url: `http://127.0.0.1:${port}/hooks/wecom`, ...ASK_CALLBACK },
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

/** The task id of the card the fake accepted after `before` cards. */
export async function sentTask(wecom: FakeWeCom, before: number): Promise<string> {
  await waitFor(() => wecom.cards.tasks.size > before, 'the card send');
  return [...wecom.cards.tasks.keys()].at(-1) as string;
}
