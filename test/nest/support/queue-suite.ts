import { startFakeWeCom, type FakeWeCom } from '../../fakes/wecom';
import { TestRedis } from './redis';

export interface QueueSuite {
  /** One private redis-server for the whole suite. */
  readonly redis: TestRedis;
  /** A fresh strict WeCom fake per test (close it in the test file's afterEach, after the apps). */
  readonly wecom: FakeWeCom;
  /** 1, 2, 3… per test: key prefixes never collide between tests. */
  readonly run: number;
}

/** The set-up every queue suite shares; call inside `describeWithRedis`. */
export function queueSuite(): QueueSuite {
  const state = { run: 0 } as { redis: TestRedis; wecom: FakeWeCom; run: number };
  beforeAll(async () => {
    state.redis = await TestRedis.start();
  });
  afterAll(async () => {
    await state.redis.stop();
  });
  beforeEach(async () => {
    state.wecom = await startFakeWeCom();
    state.run++;
  });
  return {
    get redis() {
      return state.redis;
    },
    get wecom() {
      return state.wecom;
    },
    get run() {
      return state.run;
    },
  };
}
