import { RedisRateLimiter } from '@wxnotify/nestjs/queue';
import { Redis } from 'ioredis';
import pgModule from 'pg';
import { SharedRequestLimits } from '../../gateway/src/http/request-limits.js';
import { PostgresDriver } from '../../gateway/src/store/postgres-driver.js';
import { PostgresRateLimiter } from '../../gateway/src/store/postgres-rate-limiter.js';
import { GatewayStore } from '../../gateway/src/store/store.js';
import { redisInstalled, TestRedis } from '../nest/support/redis.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;
const MINUTE = 60_000;

/** A real driver whose statements are counted on their way to Postgres (the limiter under test is not touched). */
function counted(driver: PostgresDriver): { driver: PostgresDriver; statements: () => number } {
  let statements = 0;
  const wrapped = new Proxy(driver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'all' && property !== 'run' && property !== 'exec') return value;
      return (...args: unknown[]) => {
        statements++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { driver: wrapped, statements: () => statements };
}

let unique = 0;
const freshKey = (name: string) => `${name}-${process.pid}-${++unique}`;

describeIfPostgres('shared request limits on Postgres', () => {
  const drivers: PostgresDriver[] = [];
  const connect = async () => {
    const driver = await PostgresDriver.connect(pg!.url);
    drivers.push(driver);
    return driver;
  };
  beforeAll(async () => {
    await new GatewayStore(await connect()).migrate();
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    pg!.stop();
  });

  /** Moves every window into the past, as if `ms` had gone by on the database's clock. */
  async function age(ms: number): Promise<void> {
    const admin = new pgModule.Client({ connectionString: pg!.url });
    await admin.connect();
    try {
      await admin.query('UPDATE rate_windows SET window_start = window_start - $1', [ms]);
    } finally {
      await admin.end();
    }
  }

  describe('taking up to n units in one statement', () => {
    let limiter: PostgresRateLimiter;
    let statements: () => number;
    beforeAll(() => {
      const c = counted(drivers[0]!);
      limiter = new PostgresRateLimiter(c.driver);
      statements = c.statements;
    });
    const rule = { limit: 5, windowMs: MINUTE };

    it('grants min(n, room): all of n below the limit, the rest of the room when n is larger, nothing at 0 room', async () => {
      const key = freshKey('room');
      const before = statements();
      expect(await limiter.reserve([key], [rule], 1, 3)).toEqual({ granted: 3, waitMs: 0 });
      expect(await limiter.reserve([key], [rule], 1, 4)).toEqual({ granted: 2, waitMs: 0 });
      const none = await limiter.reserve([key], [rule], 1, 2);
      expect(none.granted).toBe(0);
      expect(none.waitMs).toBeGreaterThan(0);
      expect(none.waitMs).toBeLessThanOrEqual(MINUTE);
      // Refusals do not move the count towards anything that matters: still nothing, still one statement each.
      for (let i = 0; i < 5; i++) expect((await limiter.reserve([key], [rule], 1, 1 + i)).granted).toBe(0);
      expect(statements() - before).toBe(8);
    });

    it('a first call asking for more than the limit gets the limit; a fresh window starts again from empty', async () => {
      const key = freshKey('fresh');
      expect((await limiter.reserve([key], [rule], 1, 9)).granted).toBe(5);
      expect((await limiter.reserve([key], [rule], 1, 1)).granted).toBe(0);
      await age(MINUTE);
      expect((await limiter.reserve([key], [rule], 1, 7)).granted).toBe(5);
      await age(MINUTE);
      expect((await limiter.reserve([key], [rule], 1, 2)).granted).toBe(2);
      expect((await limiter.reserve([key], [rule], 1, 4)).granted).toBe(3);
    });

    it('a lower limit on a spent window grants nothing; a higher one grants only the difference', async () => {
      const key = freshKey('changed');
      expect((await limiter.reserve([key], [{ limit: 10, windowMs: MINUTE }], 1, 10)).granted).toBe(10);
      expect((await limiter.reserve([key], [{ limit: 4, windowMs: MINUTE }], 1, 3)).granted).toBe(0);
      expect((await limiter.reserve([key], [{ limit: 12, windowMs: MINUTE }], 1, 5)).granted).toBe(2);
    });

    it('a blocked key grants nothing until the block ends, and names the wait; other keys are not held', async () => {
      const key = freshKey('blocked');
      const other = freshKey('free');
      await limiter.block(key, Date.now() + 30_000);
      const held = await limiter.reserve([key], [rule], 1, 3);
      expect(held.granted).toBe(0);
      expect(held.waitMs).toBeGreaterThan(20_000);
      expect(held.waitMs).toBeLessThanOrEqual(30_000);
      expect((await limiter.reserve([other], [rule], 1, 3)).granted).toBe(3);
    });

    it('several keys or min > 1 still take all-or-nothing (the transaction path)', async () => {
      const [a, b] = [freshKey('multi-a'), freshKey('multi-b')];
      expect((await limiter.reserve([a], [rule], 1, 4)).granted).toBe(4);
      expect((await limiter.reserve([a, b], [rule], 2, 3)).granted).toBe(0);
      expect((await limiter.reserve([a, b], [rule], 1, 3)).granted).toBe(1);
      expect((await limiter.reserve([b], [rule], 1, 9)).granted).toBe(4);
    });
  });

  describe('group commit in SharedRequestLimits', () => {
    it('many concurrent takes on one key in one process: exactly the limit allowed, the rest 429 with a Retry-After, in far fewer statements', async () => {
      const { driver, statements } = counted(await connect());
      const limits = new SharedRequestLimits(new PostgresRateLimiter(driver));
      const key = freshKey('burst');
      const decisions = await Promise.all(Array.from({ length: 300 }, () => limits.take(key, 120, MINUTE)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(120);
      const refusals = decisions.filter((d) => !d.allowed);
      expect(refusals).toHaveLength(180);
      for (const r of refusals) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      for (const r of refusals) expect(r.retryAfterSeconds).toBeLessThanOrEqual(60);
      const used = statements();
      expect(used).toBeLessThan(300 / 10);
      // A spent window is remembered until the time Postgres named: more takes cost no statement.
      expect((await limits.take(key, 120, MINUTE)).allowed).toBe(false);
      expect(statements()).toBe(used);
    });

    it('first come, first served: the takes granted are the earliest ones', async () => {
      const limits = new SharedRequestLimits(new PostgresRateLimiter(await connect()));
      const key = freshKey('order');
      const decisions = await Promise.all(Array.from({ length: 40 }, () => limits.take(key, 25, MINUTE)));
      expect(decisions.map((d) => d.allowed)).toEqual([...Array(25).fill(true), ...Array(15).fill(false)]);
    });

    it('a lone take goes straight out: one statement, nothing held back', async () => {
      const { driver, statements } = counted(await connect());
      const limits = new SharedRequestLimits(new PostgresRateLimiter(driver));
      const key = freshKey('lone');
      for (let i = 1; i <= 3; i++) {
        expect((await limits.take(key, 10, MINUTE)).allowed).toBe(true);
        expect(statements()).toBe(i);
      }
    });

    it('a remembered refusal lasts until the wait Postgres named, counted from when the question was sent, then it asks again', async () => {
      const { driver, statements } = counted(await connect());
      let t = 1_000_000;
      const limits = new SharedRequestLimits(new PostgresRateLimiter(driver), 'gateway', undefined, () => t);
      const key = freshKey('remembered');
      const rule = { limit: 3, windowMs: MINUTE };
      for (let i = 0; i < 3; i++) expect((await limits.take(key, rule.limit, rule.windowMs)).allowed).toBe(true);
      const refusal = await limits.take(key, rule.limit, rule.windowMs);
      expect(refusal.allowed).toBe(false);
      const asked = statements();
      // The window ends in the database (as if a minute had passed there); this process's clock has not moved yet.
      await age(MINUTE);
      t += (refusal.retryAfterSeconds - 1) * 1000;
      expect((await limits.take(key, rule.limit, rule.windowMs)).allowed).toBe(false);
      expect(statements()).toBe(asked);
      t += 1000;
      expect((await limits.take(key, rule.limit, rule.windowMs)).allowed).toBe(true);
      expect(statements()).toBe(asked + 1);
    });

    it('three replicas (own pools) taking at once: exactly the limit across them, none refused while room was left', async () => {
      const replicas = await Promise.all([0, 1, 2].map(async () => new SharedRequestLimits(new PostgresRateLimiter(await connect()))));
      const key = freshKey('replicas');
      const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => replicas[i % 3]!.take(key, 100, MINUTE)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      // Below the limit, no take is refused on any replica.
      const key2 = freshKey('replicas-room');
      const under = await Promise.all(Array.from({ length: 90 }, (_, i) => replicas[i % 3]!.take(key2, 100, MINUTE)));
      expect(under.every((d) => d.allowed)).toBe(true);
    });

    it('when the store does not answer, the takes fail with the store error (503), queued ones too', async () => {
      const driver = await PostgresDriver.connect(pg!.url);
      const limits = new SharedRequestLimits(new PostgresRateLimiter(driver), 'gateway', 'Postgres');
      await driver.close();
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => limits.take(freshKey('down'), 10, MINUTE)));
      const sameKey = await Promise.allSettled(Array.from({ length: 5 }, () => limits.take('down-same', 10, MINUTE)));
      for (const r of [...results, ...sameKey]) expect(r.status).toBe('rejected');
      for (const r of sameKey) expect(String((r as PromiseRejectedResult).reason)).toMatch(/store is unavailable/);
    });
  });

  (redisInstalled ? describe : describe.skip)('the same grouping on Redis', () => {
    it('many concurrent takes: exactly the limit allowed, in far fewer scripts than takes (Redis commandstats)', async () => {
      const server = await TestRedis.start();
      const redis = new Redis({ port: server.port, host: '127.0.0.1' });
      try {
        const replicas = [0, 1].map(() => new SharedRequestLimits(new RedisRateLimiter(redis, { prefix: 'test' })));
        await redis.config('RESETSTAT');
        const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.take('burst', 70, MINUTE)));
        expect(decisions.filter((d) => d.allowed)).toHaveLength(70);
        const stats = String(await redis.info('commandstats'));
        const scripts = [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
        expect(scripts).toBeGreaterThan(0);
        expect(scripts).toBeLessThan(200 / 10);
      } finally {
        redis.disconnect();
        await server.stop();
      }
    });
  });
});
