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
  /**
   * Upstream message ids (as strings: some upstreams use 64-bit ids) of the messages that carried
   * this send's content: for a coalesced send, the merged message(s) it went out in.
   */
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
  /** Set when this notification went out merged with others (quota coalescing or a digest). */
  coalesced?: CoalescedInfo;
  /** Milliseconds this send waited for a quota slot or a digest window before it went out. */
  queuedMs?: number;
  /**
   * WeCom's duplicate check window in seconds that applied (0 = off): an identical message to the
   * same recipients inside it is answered ok but not delivered again. Absent for channels without one.
   */
  duplicateCheckSeconds?: number;
  /** Channel-specific details (e.g. WxPusher per-target records, JuHe per-conversation results). */
  details?: unknown;
}

export interface CoalescedInfo {
  /** `quota`: merged because a quota was full; `digest`: collected by a digest window. */
  reason: 'quota' | 'digest';
  /** Notifications in the merged message (all its parts). */
  items: number;
  /** This notification's place among them, from 1, in the order they were sent. */
  position: number;
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
  const result: SendResult = {
    channel,
    ok: fields.ok ?? partialFailures.length === 0,
    messageIds: fields.messageIds ?? [],
    requests: stats.requests,
    parts: fields.parts ?? 1,
    batches: fields.batches ?? 1,
    retries: stats.retries,
    partialFailures,
  };
  if (fields.duplicateCheckSeconds !== undefined) result.duplicateCheckSeconds = fields.duplicateCheckSeconds;
  if (fields.details !== undefined) result.details = fields.details;
  return result;
}
