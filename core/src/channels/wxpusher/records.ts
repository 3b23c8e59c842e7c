import { idToString } from '../../engine/json';
import type { PartialFailure } from '../../model/send-result';
import type { WxPusherBatch } from './plan';
import { WXPUSHER_SUCCESS } from './limits';

/** What WxPusher reported for one target of one call (`data[]` of the send answer). */
export interface WxPusherSendRecord {
  target: 'uid' | 'topic' | 'spt';
  /** The uid, the topic id, or the SPT masked to its last 4 characters. */
  id: string;
  /** 1-based content part. */
  part: number;
  code: number;
  status?: string;
  /** One per call, shared by every target of that call. */
  messageContentId?: string;
  /** One per target: use it with `querySendStatus`. */
  sendRecordId?: string;
  /** The follower's uid when WxPusher reports it for an SPT target. */
  uid?: string;
}

interface RawRecord {
  uid?: unknown;
  topicId?: unknown;
  messageContentId?: unknown;
  sendRecordId?: unknown;
  code?: unknown;
  status?: unknown;
}

/** Shows an SPT without revealing it: SPTs are capability secrets. */
function maskSpt(spt: string): string {
  return `SPT_…${spt.slice(-4)}`;
}

export function readSendRecords(data: unknown, batch: WxPusherBatch, part: number): WxPusherSendRecord[] {
  const entries: RawRecord[] = Array.isArray(data) ? (data as RawRecord[]).filter((e) => typeof e === 'object' && e !== null) : [];
  return entries.map((entry, index) => {
    const base = {
      part,
      code: typeof entry.code === 'number' ? entry.code : Number(entry.code ?? WXPUSHER_SUCCESS),
      status: typeof entry.status === 'string' ? entry.status : undefined,
      messageContentId: idToString(entry.messageContentId),
      sendRecordId: idToString(entry.sendRecordId),
    };
    const uid = typeof entry.uid === 'string' && entry.uid !== '' ? entry.uid : undefined;
    if (batch.kind === 'simple') {
      const spt = batch.spts[index];
      return { ...base, target: 'spt', id: spt ? maskSpt(spt) : `#${index}`, ...(uid ? { uid } : {}) };
    }
    const topicId = idToString(entry.topicId);
    if (topicId !== undefined && uid === undefined) return { ...base, target: 'topic', id: topicId };
    return { ...base, target: 'uid', id: uid ?? `#${index}` };
  });
}

export function recordFailures(records: WxPusherSendRecord[]): PartialFailure[] {
  return records
    .filter((r) => r.code !== WXPUSHER_SUCCESS)
    .map((r) => ({ target: r.target, id: r.id, code: r.code, reason: r.status ?? `code ${r.code}` }));
}

/** Every recipient of a call that failed as a whole, so the caller knows who got nothing. */
export function batchFailures(batch: WxPusherBatch, reason: string, code: number | string): PartialFailure[] {
  if (batch.kind === 'simple') return batch.spts.map((s) => ({ target: 'spt', id: maskSpt(s), reason, code }));
  return [
    ...batch.uids.map((id) => ({ target: 'uid', id, reason, code })),
    ...batch.topicIds.map((id) => ({ target: 'topic', id: String(id), reason, code })),
  ];
}
