import type { LoggerService } from '@nestjs/common';
import { NotifyService } from '@wxnotify/nestjs';
import { startFakeRobot, startFakeWeCom } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';
import { postJson, startFixtureApp } from './fixtures/add-user.app';
import { waitFor } from './support/wait';

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  debug(message: unknown): void {
    this.lines.push(String(message));
  }
  verbose(message: unknown): void {
    this.lines.push(String(message));
  }
}

const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe('secrets stay out of the logs of failed notifications', () => {
  it('WeCom app: neither the corpSecret nor the access token is logged', async () => {
    const wecom = await startFakeWeCom();
    const logger = new CapturingLogger();
    const app = await startFixtureApp({
      logger,
      notify: { channels: { ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] } } as never }, deps: { retry, clock: new VirtualClock() } },
    });
    try {
      wecom.failNext('message/send', 60020, 1, `not allow to access from your ip, hint: [1763800000_1_abc], from ip: 203.0.113.9, more info at https://open.work.weixin.qq.com/devtool/query?e=60020`);
      await postJson(`${app.url}/add_user`, { username: 'erin' });
      const service = app.app.get(NotifyService);
      await waitFor(() => service.stats().failed === 1, 'the failed send');
      const logged = logger.lines.join('\n');
      expect(logged).toContain('notification via "ops" failed: [wecom-app');
      expect(logged).toContain('60020');
      expect(logged).not.toContain(wecom.corpSecret);
      expect(wecom.issuedToken).toBeDefined();
      expect(logged).not.toContain(wecom.issuedToken!);
    } finally {
      await app.close();
      await wecom.close();
    }
  });

  it('WeCom robot: the webhook key is not logged when the upstream fails or hangs up', async () => {
    const robot = await startFakeRobot();
    const logger = new CapturingLogger();
    const app = await startFixtureApp({
      logger,
      notify: { channels: { ops: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } as never }, deps: { retry, clock: new VirtualClock() } },
    });
    try {
      robot.server.injectFaults({ reset: 10 });
      await postJson(`${app.url}/add_user`, { username: 'frank' });
      const service = app.app.get(NotifyService);
      await waitFor(() => service.stats().failed === 1, 'the failed send');
      const logged = logger.lines.join('\n');
      expect(logged).toContain('notification via "ops" failed: [wecom-bot');
      expect(logged).not.toContain(robot.key);
    } finally {
      await app.close();
      await robot.close();
    }
  });
});
