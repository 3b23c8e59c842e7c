import { FakeGateway, DEFAULT_GATEWAY_CODE, type FakeGatewayDelivery } from './server';

/**
 * What the gateway client contract tests need from a gateway under test. The fake implements it;
 * the real gateway service implements the same interface to pass the same tests.
 */
export interface GatewayHarness {
  url: string;
  /** A configuration code the gateway knows. */
  code: string;
  /** What reached the messenger side, in order. */
  delivered(): FakeGatewayDelivery[];
  /** Puts the gateway's WeChat client into the logged-out state (or back). */
  setLoggedIn(loggedIn: boolean): void;
  /** Makes the next code-route call fail upstream (WeCom errcode) with HTTP 500. */
  failUpstreamOnce(errcode: number, errmsg: string): void;
  close(): Promise<void>;
}

export interface GatewayHarnessOptions {
  clock?: { now(): number };
  apiKey?: string;
  rateLimit?: { limit: number; windowMs: number };
}

export type StartGatewayHarness = (options: GatewayHarnessOptions) => Promise<GatewayHarness>;

export const startFakeGatewayHarness: StartGatewayHarness = async (options) => {
  const fake = await FakeGateway.start({ ...options, codes: [DEFAULT_GATEWAY_CODE] });
  return {
    url: fake.url,
    code: DEFAULT_GATEWAY_CODE,
    delivered: () => fake.delivered,
    setLoggedIn: (v) => {
      fake.loggedIn = v;
    },
    failUpstreamOnce: (errcode, errmsg) => {
      fake.upstreamFailures.push({ errcode, errmsg });
    },
    close: () => fake.close(),
  };
};
