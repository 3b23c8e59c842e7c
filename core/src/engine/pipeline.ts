import { abortedError, NotifyError } from '../model/notify-error';
import type { SendStats } from '../model/send-result';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from '../transport/transport';
import { untilAborted, type Clock } from './clock';
import type { RateLimiter, RateRule } from './rate-limiter';
import type { Redactor } from './redact';
import { backoffDelay, currentMaxWaitMs, type RetryPolicy } from './retry';

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
  /** `signal`: this caller stops waiting; a shared fetch goes on while other callers wait. */
  get(signal?: AbortSignal): Promise<string>;
  refresh(failedToken: string, signal?: AbortSignal): Promise<string>;
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
  /**
   * The request must not be replayed once it may have reached the upstream (it spends something
   * single-use, e.g. a card's response_code): a timeout, a reset or a 5xx answer then ends the
   * call with the error this returns. Failures that provably did not arrive (connection refused,
   * DNS, an errcode answer such as busy or rate limited) are still retried.
   */
  unknownOutcome?(error: NotifyError): NotifyError;
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

/** Transport failures after which the request may have reached the upstream. */
const MAYBE_ARRIVED = new Set<string>(['ETIMEDOUT', 'ECONNRESET', 'EPROTO', 'EUNKNOWN']);

/**
 * The one request loop every channel uses: pace → token → send → classify → refresh / retry /
 * wait out a rate limit / fail. Channels only build requests and classify responses.
 *
 * A `signal` aborts the call wherever it is (pacing, token, on the wire, backoff): it then
 * rejects with an `ABORTED` NotifyError (not retryable) and sends nothing more.
 */
export class Pipeline {
  constructor(readonly deps: PipelineDeps) {}

  get channel(): string {
    return this.deps.channel;
  }

  call<T>(spec: CallSpec<T>, stats: SendStats, signal?: AbortSignal): Promise<T> {
    // Fast path: a token at hand and a free pace slot make the first attempt a plain promise
    // chain (no async frame held across the network wait). Anything but success, and every
    // later attempt, continues in the full loop.
    if (signal?.aborted) return this.finish(spec, Promise.reject(this.abortError(spec.operation, false)));
    const token = spec.token?.peek?.();
    if ((spec.token && token === undefined) || (spec.rate && !this.deps.limiter.tryAcquire?.(spec.rate.key, spec.rate.rule))) {
      return this.finish(spec, this.loop(spec, stats, signal));
    }
    let sent: Promise<HttpResponse>;
    try {
      sent = this.deps.transport.request(this.request(spec, token, stats, signal));
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(
      (res) => {
        const outcome = spec.parse(res);
        return outcome.kind === 'ok' ? outcome.value : this.finish(spec, this.loop(spec, stats, signal, { token, outcome }));
      },
      (error: unknown) => this.finish(spec, this.loop(spec, stats, signal, { token, outcome: this.transportOutcome<T>(spec, error) })),
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
  private async loop<T>(spec: CallSpec<T>, stats: SendStats, signal?: AbortSignal, first?: { token: string | undefined; outcome: Outcome<T> }): Promise<T> {
    const { transport, clock, limiter, retry, logger } = this.deps;
    // Whether an earlier attempt may have reached the upstream (told in the ABORTED error).
    let mayHaveArrived = false;
    /** Waits for `work` unless the signal aborts first; no abort goes unnoticed after it either. */
    const guard = async <R>(work: Promise<R>): Promise<R> => {
      let value: R;
      try {
        value = await untilAborted(work, signal, () => this.abortError(spec.operation, mayHaveArrived));
      } catch (error) {
        if (signal?.aborted) throw this.abortError(spec.operation, mayHaveArrived);
        throw error;
      }
      if (signal?.aborted) throw this.abortError(spec.operation, mayHaveArrived);
      return value;
    };
    let token = first ? first.token : spec.token ? await guard(spec.token.get(signal)) : undefined;
    let failures = 0;
    let refreshed = false;
    let rateWaits = 0;
    let pending = first?.outcome;
    if (first) mayHaveArrived = this.mayHaveArrived(first.outcome);
    for (;;) {
      let outcome: Outcome<T>;
      if (pending) {
        outcome = pending;
        pending = undefined;
      } else {
        if (spec.rate) {
          const delay = limiter.delayMs?.(spec.rate.key, spec.rate.rule) ?? 0;
          if (delay > this.maxWaitMs()) throw this.notWaiting(spec.operation, delay);
          await guard(limiter.acquire(spec.rate.key, spec.rate.rule, signal));
        }
        const request = this.request(spec, token, stats, signal);
        try {
          outcome = spec.parse(await transport.request(request));
        } catch (error) {
          outcome = this.transportOutcome(spec, error);
        }
        mayHaveArrived ||= this.mayHaveArrived(outcome);
      }
      if (outcome.kind !== 'ok' && outcome.error.kind === 'aborted') throw this.abortError(spec.operation, mayHaveArrived);
      switch (outcome.kind) {
        case 'ok':
          return outcome.value;
        case 'fail':
          throw outcome.error;
        case 'refresh-token':
          if (!spec.token || token === undefined || refreshed) throw outcome.error;
          refreshed = true;
          token = await guard(spec.token.refresh(token, signal));
          break;
        case 'rate-limited': {
          const waitMs = outcome.waitMs ?? retry.rateLimitWaitMs;
          if (rateWaits >= retry.maxRateLimitWaits) throw outcome.error;
          if (waitMs > this.maxWaitMs()) {
            // Not waited out here, but later calls on the key must still sit it out (or fail fast).
            if (spec.rate) await limiter.block(spec.rate.key, clock.now() + waitMs);
            throw outcome.error.withRetryAfter(waitMs);
          }
          rateWaits++;
          logger?.warn(`${this.channel} ${spec.operation}: rate limited, waiting ${waitMs} ms`, { code: outcome.error.code });
          if (spec.rate) {
            await guard(limiter.block(spec.rate.key, clock.now() + waitMs));
          } else {
            await guard(clock.sleep(waitMs, signal));
          }
          break;
        }
        case 'retry': {
          if (spec.unknownOutcome && this.mayHaveBeenApplied(outcome.error)) throw spec.unknownOutcome(outcome.error);
          failures++;
          if (failures >= retry.maxAttempts) throw outcome.error;
          const delay = backoffDelay(retry, failures, this.deps.random);
          logger?.debug?.(`${this.channel} ${spec.operation}: retry ${failures} in ${delay} ms`, { code: outcome.error.code });
          await guard(clock.sleep(delay, signal));
          break;
        }
      }
      stats.retries++;
    }
  }

  private maxWaitMs(): number {
    return currentMaxWaitMs(this.deps.retry.maxWaitMs);
  }

  /** A call that would have to wait `delayMs` for its key, longer than the caller's bound: fail, nothing sent. */
  private notWaiting(operation: string, delayMs: number): NotifyError {
    const seconds = Math.ceil(delayMs / 1000);
    return new NotifyError({
      channel: this.channel,
      code: 'RATE_LIMITED',
      kind: 'upstream',
      retryable: true,
      operation,
      message: `rate limited: the next call is possible in ${seconds} s (not sent)`,
      hint: `上游限流窗口未结束，消息未发送，请 ${seconds} 秒后重试。The upstream's rate-limit window is still open; nothing was sent, retry after ${seconds} s.`,
      retryAfterMs: Math.ceil(delayMs),
    });
  }

  private request<T>(spec: CallSpec<T>, token: string | undefined, stats: SendStats, signal: AbortSignal | undefined): HttpRequest {
    const request = spec.build(token);
    request.timeoutMs ??= this.deps.retry.timeoutMs;
    if (signal) request.signal = signal;
    stats.requests++;
    return request;
  }

  /** A transport failure is retried (an abort is final); anything else thrown (a bug, a parse error) propagates. */
  private transportOutcome<T>(spec: CallSpec<T>, error: unknown): Outcome<T> {
    if (!(error instanceof TransportError)) throw error;
    if (error.code === 'EABORTED') return { kind: 'fail', error: this.abortError(spec.operation, error.onWire) };
    return { kind: 'retry', error: this.networkError(spec.operation, error) };
  }

  /** A timeout or a reset leaves open whether the request arrived; an answer or a refused connection does not. */
  private mayHaveArrived<T>(outcome: Outcome<T>): boolean {
    return outcome.kind !== 'ok' && (outcome.error.kind === 'aborted' ? outcome.error.deliveryUnknown === true : outcome.error.kind === 'network' && MAYBE_ARRIVED.has(String(outcome.error.code)));
  }

  /** A retryable failure after which the upstream may have acted on the request: no answer, or a non-2xx status (a proxy may have forwarded it). */
  private mayHaveBeenApplied(error: NotifyError): boolean {
    return error.kind === 'http' || (error.kind === 'network' && MAYBE_ARRIVED.has(String(error.code)));
  }

  /** The error of an aborted call. `onWire`: a request of it may have reached the upstream. */
  abortError(operation: string, onWire: boolean): NotifyError {
    return abortedError(this.channel, operation, onWire);
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
