import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, UseInterceptors } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { Notify, NotifyInterceptor, NotifyModule } from '@wxnotify/nestjs';
import { postJson } from './fixtures/add-user.app';
import { weComBotTarget, type Target } from './support/targets';
import { waitFor } from './support/wait';

/** `@Notify` on the controller class, the interceptor bound per controller AND globally. */
@Controller()
@Notify({ template: 'created {{result.name}}' })
@UseInterceptors(NotifyInterceptor)
class ItemsController {
  @Post('items')
  @HttpCode(200)
  create(@Body() body: { name: string }) {
    return { name: body.name };
  }

  @Post('items_override')
  @HttpCode(200)
  @Notify({ template: 'route-level {{result.name}}' })
  createWithRouteTemplate(@Body() body: { name: string }) {
    return { name: body.name };
  }
}

describe('@Notify bound per route, per controller and globally', () => {
  let target: Target;

  afterEach(async () => {
    await target?.close();
  });

  it('sends once per request however many times the interceptor is bound; a route-level @Notify overrides the class one', async () => {
    target = await weComBotTarget();
    @Module({
      imports: [NotifyModule.forRoot({ channels: { team: target.config }, defaultChannel: 'team' })],
      controllers: [ItemsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: NotifyInterceptor }],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      expect((await postJson(`${url}/items`, { name: 'a' })).status).toBe(200);
      expect((await postJson(`${url}/items`, { name: 'b' })).status).toBe(200);
      expect((await postJson(`${url}/items_override`, { name: 'c' })).status).toBe(200);
      await waitFor(() => target.delivered().length >= 3, 'three notifications');
      await new Promise((r) => setTimeout(r, 100));
      const delivered = target.delivered();
      expect(delivered).toHaveLength(3);
      expect(delivered.filter((m) => m.includes('created a'))).toHaveLength(1);
      expect(delivered.filter((m) => m.includes('created b'))).toHaveLength(1);
      expect(delivered.filter((m) => m.includes('route-level c'))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
