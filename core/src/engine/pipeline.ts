import { NotifyError } from '../model/notify-error';
import type { SendStats } from '../model/send-result';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from '../transport/transport';
import type { Clock } from './clock';
import type { RateLimiter, RateRule } from './rate-limiter';
import type { Redactor } from './redact';
import { backoffDelay, type RetryPolicy } from './retry';

/** What a channel's response parser decided about one HTTP exchange. */
export type Outcome<T> =
  | { kind: 'ok'; value: T }
  /** The token was rejected (expired/invalid): refresh once, then replay the request. */
  | { kind: 'refresh-token'; error: NotifyError }
  /** Transient: retry with backoff, bounded by `maxAttempts`. */
  | { kind: 'retry'; error: NotifyError }
  /** The upstream throttled us: hold the key for `waitMs` (default: the policy's window), then retry. */
  | { kind: 'rate-limited'; error: NotifyError; waitMs?: number }
  | { kind: 'fail'; error: NotifyError };

export interface TokenSource {
  /** The token when it is at hand without I/O (the fast path of every send after the first). */
  peek?(): string | undefined;
  get(): Promise<string>;
  refresh(failedToken: string): Promise<string>;
}

export interface CallSpec<T> {
  operation: string;
  /** Pace calls on this key (robot key, app) before they leave. */
  rate?: { key: string; rule: RateRule };
  /** Present when the call needs a token (WeCom app). */
  token?: TokenSource;
  /** Builds a fresh request object per attempt (the pipeline fills in a missing `timeoutMs`). */
  build(token: string | undefined): HttpRequest;
  parse(res: HttpResponse): Outcome<T>;
  /** Shapes the error the call finally gives up with (e.g. attaches what a send delivered). */
  finalError?(error: unknown): unknown;
}

export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface PipelineDeps {
  channel: string;
  transport: Transport;
  clock: Clock;
  limiter: RateLimiter;
  retry: RetryPolicy;
  redactor: Redactor;
  logger?: Logger;
  random?: () => number;
}

/**
 * The one request loop every channel uses: pace → token → send → classify → refresh / retry /
 * wait out a rate limit / fail. Channels only build requests and classify responses.
 */
export class Pipeline {
  constructor(readonly deps: PipelineDeps) {}

  get channel(): string {
    return this.deps.channel;
  }

  call<T>(spec: CallSpec<T>, stats: SendStats): Promise<T> {
    // Fast path: a token at hand and a free pace slot make the first attempt a plain promise
    // chain (no async frame held across the network wait). Anything but success, and every
    // later attempt, continues in the full loop.
    const token = spec.token?.peek?.();
    if ((spec.token && token === undefined) || (spec.rate && !this.deps.limiter.tryAcquire?.(spec.rate.key, spec.rate.rule))) {
      return this.finish(spec, this.loop(spec, stats));
    }
    let sent: Promise<HttpResponse>;
    try {
      sent = this.deps.transport.request(this.request(spec, token, stats));
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(
      (res) => {
        const outcome = spec.parse(res);
        return outcome.kind === 'ok' ? outcome.value : this.finish(spec, this.loop(spec, stats, { token, outcome }));
      },
      (error: unknown) => this.finish(spec, this.loop(spec, stats, { token, outcome: this.transportOutcome<T>(spec, error) })),
    );
  }

  private finish<T>(spec: CallSpec<T>, running: Promise<T>): Promise<T> {
    const shape = spec.finalError;
    return shape
      ? running.catch((error: unknown) => {
          throw shape(error);
        })
      : running;
  }

  /** The full loop; `first` is the outcome of an attempt the fast path already made. */
  private async loop<T>(spec: CallSpec<T>, stats: SendStats, first?: { token: string | undefined; outcome: Outcome<T> }): Promise<T> {
    const { transport, clock, limiter, retry, logger } = this.deps;
    let token = first ? first.token : spec.token ? await spec.token.get() : undefined;
    let failures = 0;
    let refreshed = false;
    let rateWaits = 0;
    let pending = first?.outcome;
    for (;;) {
      let outcome: Outcome<T>;
      if (pending) {
        outcome = pending;
        pending = undefined;
      } else {
        if (spec.rate) await limiter.acquire(spec.rate.key, spec.rate.rule);
        const request = this.request(spec, token, stats);
        try {
          outcome = spec.parse(await transport.request(request));
        } catch (error) {
          outcome = this.transportOutcome(spec, error);
        }
      }
      switch (outcome.kind) {
        case 'ok':
          return outcome.value;
        case 'fail':
          throw outcome.error;
        case 'refresh-token':
          if (!spec.token || token === undefined || refreshed) throw outcome.error;
          refreshed = true;
          token = await spec.token.refresh(token);
          break;
        case 'rate-limited': {
          const waitMs = outcome.waitMs ?? retry.rateLimitWaitMs;
          if (rateWaits >= retry.maxRateLimitWaits) throw outcome.error;
          rateWaits++;
          logger?.warn(`${this.channel} ${spec.operation}: rate limited, waiting ${waitMs} ms`, { code: outcome.error.code });
          if (spec.rate) {
            await limiter.block(spec.rate.key, clock.now() + waitMs);
          } else {
            await clock.sleep(waitMs);
          }
          break;
        }
        case 'retry': {
          failures++;
          if (failures >= retry.maxAttempts) throw outcome.error;
          const delay = backoffDelay(retry, failures, this.deps.random);
          logger?.debug?.(`${this.channel} ${spec.operation}: retry ${failures} in ${delay} ms`, { code: outcome.error.code });
          await clock.sleep(delay);
          break;
        }
      }
      stats.retries++;
    }
  }

  private request<T>(spec: CallSpec<T>, token: string | undefined, stats: SendStats): HttpRequest {
    const request = spec.build(token);
    request.timeoutMs ??= this.deps.retry.timeoutMs;
    stats.requests++;
    return request;
  }

  /** A transport failure is retried; anything else thrown (a bug, a parse error) propagates. */
  private transportOutcome<T>(spec: CallSpec<T>, error: unknown): Outcome<T> {
    if (!(error instanceof TransportError)) throw error;
    return { kind: 'retry', error: this.networkError(spec.operation, error) };
  }

  /** Redacts any text that may carry secrets before it becomes part of an error or a log line. */
  redact(text: string): string {
    return this.deps.redactor.redact(text);
  }

  /** Generic handling of non-2xx statuses for upstreams whose error bodies carry nothing better. */
  httpStatusOutcome<T>(operation: string, res: HttpResponse): Outcome<T> | undefined {
    if (res.status >= 200 && res.status < 300) return undefined;
    const message = this.redact(`HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`);
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    const error = new NotifyError({
      channel: this.channel,
      code: res.status,
      kind: 'http',
      retryable,
      status: res.status,
      operation,
      message,
      hint: retryable ? 'The upstream is unavailable or throttling; the call was retried.' : 'Check the baseUrl and the request.',
    });
    if (res.status === 429) {
      const retryAfter = Number(res.headers['retry-after']);
      return { kind: 'rate-limited', error, waitMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined };
    }
    return retryable ? { kind: 'retry', error } : { kind: 'fail', error };
  }

  private networkError(operation: string, error: TransportError): NotifyError {
    return new NotifyError({
      channel: this.channel,
      code: error.code,
      kind: 'network',
      retryable: true,
      operation,
      message: this.redact(error.message),
      hint:
        error.code === 'ETIMEDOUT'
          ? 'The upstream did not answer in time; check connectivity or raise the timeout.'
          : error.code === 'EPROXY'
            ? 'The forward proxy refused or failed the connection; check HTTPS_PROXY / HTTP_PROXY, NO_PROXY and the proxy credentials.'
            : 'Could not reach the upstream; check the baseUrl, DNS, proxy and firewall.',
    });
  }
}
