/** One recipient (or target) the upstream did not accept while the call as a whole succeeded. */
export interface PartialFailure {
  /** Kind of recipient, e.g. `user`, `party`, `tag`, `uid`, `topic`, `spt`, `conversation`. */
  target: string;
  id: string;
  /** Short reason, e.g. `invalid`, `unlicensed`, or an upstream status text. */
  reason: string;
  code?: number | string;
}

export interface SendResult {
  channel: string;
  /** True when every request succeeded and no recipient was rejected. */
  ok: boolean;
  /** Upstream message ids (as strings: some upstreams use 64-bit ids). */
  messageIds: string[];
  /** HTTP requests made for this send, retries included, token fetches excluded. */
  requests: number;
  /** Content parts sent (1 unless the content was split). */
  parts: number;
  /** Recipient batches per part (1 unless recipients were chunked at upstream limits). */
  batches: number;
  /** Requests that were retried after a retryable failure or a token refresh. */
  retries: number;
  partialFailures: PartialFailure[];
  /** Channel-specific details (e.g. WxPusher per-target records, JuHe per-conversation results). */
  details?: unknown;
}

/** Mutable accumulator the pipeline fills while a send runs. */
export class SendStats {
  requests = 0;
  retries = 0;
  tokenFetches = 0;
}

export function buildResult(
  channel: string,
  stats: SendStats,
  fields: Partial<Omit<SendResult, 'channel' | 'requests' | 'retries'>>,
): SendResult {
  const partialFailures = fields.partialFailures ?? [];
  return {
    channel,
    ok: fields.ok ?? partialFailures.length === 0,
    messageIds: fields.messageIds ?? [],
    requests: stats.requests,
    parts: fields.parts ?? 1,
    batches: fields.batches ?? 1,
    retries: stats.retries,
    partialFailures,
    ...(fields.details !== undefined ? { details: fields.details } : {}),
  };
}
