import {
  MemoryRateLimiter,
  MemoryTokenStore,
  NotifyError,
  Pipeline,
  Redactor,
  SendStats,
  TokenCache,
  mapSettled,
  parseJsonLossless,
  redactUrl,
  markdownToText,
  htmlToText,
  withTitle,
  createChannelContext,
  type Outcome,
} from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { FakeServer } from '../support/fake-server';
import { VirtualClock } from '../support/virtual-clock';

describe('TokenCache', () => {
  const fetcher = (counter: { n: number }, prefix = 'tok') => async () => {
    counter.n++;
    await new Promise((r) => setTimeout(r, 5));
    return { value: `${prefix}-${counter.n}`, expiresInSeconds: 7200 };
  };

  it('fetches once for 1,000 concurrent cold callers', async () => {
    const cache = new TokenCache(new MemoryTokenStore(), new VirtualClock());
    const counter = { n: 0 };
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => cache.get('app', fetcher(counter))));
    expect(counter.n).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
  });

  it('refreshes once when 1,000 callers report the same failed token', async () => {
    const cache = new TokenCache(new MemoryTokenStore(), new VirtualClock());
    const counter = { n: 0 };
    const first = await cache.get('app', fetcher(counter));
    const refreshed = await Promise.all(Array.from({ length: 1000 }, () => cache.refresh('app', first, fetcher(counter))));
    expect(counter.n).toBe(2);
    expect(new Set(refreshed)).toEqual(new Set(['tok-2']));
  });

  it('does not drop a fresh token when an old one fails late', async () => {
    const cache = new TokenCache(new MemoryTokenStore(), new VirtualClock());
    const counter = { n: 0 };
    const old = await cache.get('app', fetcher(counter));
    await cache.refresh('app', old, fetcher(counter));
    const again = await cache.refresh('app', old, fetcher(counter));
    expect(again).toBe('tok-2');
    expect(counter.n).toBe(2);
  });

  it('refreshes 300 s before the upstream expiry', async () => {
    const clock = new VirtualClock();
    const cache = new TokenCache(new MemoryTokenStore(), clock);
    const counter = { n: 0 };
    await cache.get('app', fetcher(counter));
    clock.advance((7200 - 301) * 1000);
    await cache.get('app', fetcher(counter));
    expect(counter.n).toBe(1);
    clock.advance(2000);
    expect(await cache.get('app', fetcher(counter))).toBe('tok-2');
  });
});

describe('TokenCache memory of the last token', () => {
  class CountingStore extends MemoryTokenStore {
    gets = 0;
    override async get(key: string) {
      this.gets++;
      return super.get(key);
    }
  }
  const fetchAs = (values: string[]) => async () => ({ value: values.shift()!, expiresInSeconds: 7200 });

  it('serves a fresh token without a store round trip, and goes back to the store when it is due', async () => {
    const clock = new VirtualClock();
    const store = new CountingStore();
    const cache = new TokenCache(store, clock);
    expect(cache.peek('app')).toBeUndefined();
    expect(await cache.get('app', fetchAs(['tok-1']))).toBe('tok-1');
    const readsAfterFetch = store.gets;
    for (let i = 0; i < 100; i++) expect(await cache.get('app', fetchAs([]))).toBe('tok-1');
    expect(cache.peek('app')).toBe('tok-1');
    expect(store.gets).toBe(readsAfterFetch);
    clock.advance((7200 - 300) * 1000 + 1);
    expect(cache.peek('app')).toBeUndefined();
    expect(await cache.get('app', fetchAs(['tok-2']))).toBe('tok-2');
    expect(store.gets).toBeGreaterThan(readsAfterFetch);
  });

  it('picks up a token another process stored after the upstream rejected the remembered one', async () => {
    const shared = new CountingStore();
    const clock = new VirtualClock();
    const [a, b] = [new TokenCache(shared, clock), new TokenCache(shared, clock)];
    let fetches = 0;
    const fetch = async () => ({ value: `tok-${++fetches}`, expiresInSeconds: 7200 });
    expect(await a.get('app', fetch)).toBe('tok-1');
    expect(await b.get('app', fetch)).toBe('tok-1');
    expect(await b.refresh('app', 'tok-1', fetch)).toBe('tok-2');
    // `a` still remembers tok-1 until its own send is rejected; then it takes tok-2 from the store.
    expect(a.peek('app')).toBe('tok-1');
    expect(await a.refresh('app', 'tok-1', fetch)).toBe('tok-2');
    expect(a.peek('app')).toBe('tok-2');
    expect(fetches).toBe(2);
  });

  it('hands out no remembered token while a refresh is running', async () => {
    const cache = new TokenCache(new MemoryTokenStore(), new VirtualClock());
    await cache.get('app', fetchAs(['tok-1']));
    let release: (() => void) | undefined;
    const refreshing = cache.refresh('app', 'tok-1', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { value: 'tok-2', expiresInSeconds: 7200 };
    });
    expect(cache.peek('app')).toBeUndefined();
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    const waiting = cache.get('app', fetchAs(['never']));
    release();
    expect(await refreshing).toBe('tok-2');
    expect(await waiting).toBe('tok-2');
  });
});

describe('MemoryRateLimiter', () => {
  it('tryAcquire counts calls up to the limit, then defers to acquire()', () => {
    const clock = new VirtualClock();
    const limiter = new MemoryRateLimiter(clock);
    const rule = { limit: 3, windowMs: 1000 };
    expect([1, 2, 3, 4].map(() => limiter.tryAcquire('k', rule))).toEqual([true, true, true, false]);
    clock.advance(1000);
    expect(limiter.tryAcquire('k', rule)).toBe(true);
    expect(limiter.tryAcquire('open', { limit: Infinity, windowMs: 60_000 })).toBe(true);
    void limiter.block('open', clock.now() + 5000);
    expect(limiter.tryAcquire('open', { limit: Infinity, windowMs: 60_000 })).toBe(false);
    clock.advance(5000);
    expect(limiter.tryAcquire('open', { limit: Infinity, windowMs: 60_000 })).toBe(true);
  });

  it('paces calls beyond the limit into the next window instead of failing', async () => {
    const clock = new VirtualClock();
    const limiter = new MemoryRateLimiter(clock);
    const start = clock.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 45 }, async () => {
        await limiter.acquire('robot', { limit: 20, windowMs: 60_000 });
        times.push(clock.now() - start);
      }),
    );
    expect(times.filter((t) => t < 60_000)).toHaveLength(20);
    expect(times.filter((t) => t >= 60_000 && t < 120_000)).toHaveLength(20);
    expect(times.filter((t) => t >= 120_000)).toHaveLength(5);
  });

  it('holds a blocked key until the block ends', async () => {
    const clock = new VirtualClock();
    const limiter = new MemoryRateLimiter(clock);
    await limiter.block('app', clock.now() + 60_000);
    const before = clock.now();
    await limiter.acquire('app', { limit: 100, windowMs: 1000 });
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
  });
});

describe('JSON and redaction helpers', () => {
  it('keeps 64-bit integers exact as strings and leaves safe numbers alone', () => {
    const parsed = parseJsonLossless('{"newMsgId":7773749793478223190,"msgId":1040356095,"s":"9999999999999999999","neg":-9223372036854775807,"f":1.5}') as Record<string, unknown>;
    expect(parsed).toEqual({ newMsgId: '7773749793478223190', msgId: 1040356095, s: '9999999999999999999', neg: '-9223372036854775807', f: 1.5 });
  });

  it('masks secrets in URLs and known secret values in text', () => {
    expect(redactUrl('https://q/cgi-bin/message/send?access_token=abc123&debug=1')).toBe('https://q/cgi-bin/message/send?access_token=***&debug=1');
    expect(redactUrl('POST http://gw/api/notify/Zx9_abcDEF-123 failed')).toBe('POST http://gw/api/notify/*** failed');
    const r = new Redactor(['s3cr3t-value', undefined, 'ab']);
    expect(r.redact('bad secret s3cr3t-value in ?key=robotkey1')).toBe('bad secret *** in ?key=***');
  });
});

describe('mapSettled', () => {
  it('keeps at most `limit` calls in flight and results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapSettled(Array.from({ length: 50 }, (_, i) => i), 7, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (i === 13) throw new Error('thirteen');
      return i * 2;
    });
    expect(peak).toBe(7);
    expect(results[13].status).toBe('rejected');
    expect(results[49]).toEqual({ status: 'fulfilled', value: 98 });
  });
});

describe('Pipeline over real HTTP', () => {
  let server: FakeServer;
  const transport = new AxiosTransport({ timeoutMs: 2000 });
  const clock = new VirtualClock();
  const pipeline = new Pipeline({
    channel: 'test',
    transport,
    clock,
    limiter: new MemoryRateLimiter(clock),
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, rateLimitWaitMs: 60_000, maxRateLimitWaits: 1, timeoutMs: 300 },
    redactor: new Redactor(['topsecret']),
  });
  const spec = (path: string) => ({
    operation: 'ping',
    build: () => ({ method: 'POST' as const, url: `${server.url}${path}?key=topsecret`, headers: { 'content-type': 'application/json' }, body: '{}' }),
    parse: (res: { status: number; text: string; headers: Record<string, string> }): Outcome<string> =>
      pipeline.httpStatusOutcome('ping', res) ?? { kind: 'ok', value: res.text },
  });

  beforeAll(async () => {
    server = await FakeServer.start(() => ({ body: 'pong' }));
  });
  afterAll(async () => {
    transport.close();
    await server.close();
  });

  it('retries resets and 5xx, counting every request', async () => {
    server.injectFaults({ reset: 1, status: { code: 502, count: 1 } });
    const stats = new SendStats();
    await expect(pipeline.call(spec('/a'), stats)).resolves.toBe('pong');
    expect(stats.requests).toBe(3);
    expect(stats.retries).toBe(2);
  });

  it('gives up after maxAttempts with a retryable, redacted error', async () => {
    server.injectFaults({ status: { code: 503, count: 10 } });
    const stats = new SendStats();
    const error = (await pipeline.call(spec('/b'), stats).catch((e) => e)) as NotifyError;
    expect(error).toBeInstanceOf(NotifyError);
    expect(error.code).toBe(503);
    expect(error.retryable).toBe(true);
    expect(stats.requests).toBe(4);
    expect(JSON.stringify(error)).not.toContain('topsecret');
    server.injectFaults({});
  });

  it('treats a hanging upstream as a timeout and retries', async () => {
    server.injectFaults({ hang: 1 });
    const stats = new SendStats();
    await expect(pipeline.call(spec('/c'), stats)).resolves.toBe('pong');
    expect(stats.requests).toBe(2);
  });

  it('fails at once on a 4xx', async () => {
    server.injectFaults({ status: { code: 404, count: 1 } });
    const stats = new SendStats();
    await expect(pipeline.call(spec('/d'), stats)).rejects.toMatchObject({ code: 404, retryable: false });
    expect(stats.requests).toBe(1);
  });
});

describe('render helpers', () => {
  it('turns markdown into readable text', () => {
    const md = '# CPU alert\n> host **db-1** at <font color="warning">93%</font>\n- see [dashboard](https://grafana.local/d/1)\n```\nload 4.2\n```';
    expect(markdownToText(md)).toBe('CPU alert\nhost db-1 at 93%\n• see dashboard (https://grafana.local/d/1)\nload 4.2');
  });

  it('turns html into text and leads with the title per format', () => {
    expect(htmlToText('<p>Backup <b>done</b></p><p>a &amp; b</p>')).toBe('Backup done\na & b');
    expect(withTitle('body', 'Title', 'markdown')).toBe('**Title**\nbody');
    expect(withTitle('body', 'Title', 'text')).toBe('Title\nbody');
  });
});

describe('createChannelContext defaults', () => {
  it('shares one limiter and one token flight per clock, so separate channels for one robot share its pace', () => {
    const clock = new VirtualClock();
    const a = createChannelContext({ clock });
    const b = createChannelContext({ clock });
    expect(a.limiter).toBe(b.limiter);
    expect(a.tokens).toBe(b.tokens);
    expect(createChannelContext({ clock: new VirtualClock() }).limiter).not.toBe(a.limiter);
  });
});
