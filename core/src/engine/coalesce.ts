import type { Notification } from '../model/notification';
import { toPlainText } from './render';
import { truncateUtf8, utf8Bytes } from './split';
import { DEFAULT_TIME_ZONE, zonedParts } from '../templates/time-zone';

/** How merged messages look and where they are cut. */
export interface MergeLayout {
  /** Upper bound of one merged message (UTF-8 bytes unless `measure` says otherwise). */
  maxBytes: number;
  measure?: (text: string) => number;
  /** Content lines shown per item after its title (default 3). */
  lines?: number;
  /** Time zone of the time range in the header (default Asia/Shanghai). */
  timeZone?: string;
  /** Header word: 合并 (quota coalescing, default) or e.g. 汇总 for digests. */
  label?: string;
}

/** One notification as it appears in a merged message, with the time it was sent. */
export interface MergeItem {
  notification: Notification<unknown, unknown>;
  at: number;
}

export interface MergedMessage {
  /** Message texts, each within `maxBytes`, items in order and never cut between two parts. */
  parts: string[];
  /** How many items (from the first) the parts carry; the rest wait for the next slot. */
  taken: number;
  /** For each taken item, the index of the part that carries it. */
  partOf: number[];
}

function clockTime(at: number, timeZone: string): string {
  return zonedParts(new Date(at), timeZone).time;
}

/** `1. title` and its first lines (plain text), then its link; capped so that any item fits a part. */
export function mergeItemText(item: MergeItem, index: number, layout: MergeLayout, cap: number): string {
  const n = item.notification;
  const plain = toPlainText(n.content ?? '', n.format ?? 'text')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const title = n.title?.trim() || plain.shift() || '(无标题)';
  const lines = [`${index}. ${title}`, ...plain.slice(0, layout.lines ?? 3).map((line) => `   ${line}`)];
  if (plain.length > (layout.lines ?? 3)) lines.push('   …');
  if (n.url) lines.push(`   ${n.url}`);
  const text = lines.join('\n');
  return (layout.measure ?? utf8Bytes)(text) <= cap ? text : truncateUtf8(text, cap);
}

/**
 * Packs items, in order, into at most `maxParts` messages headed `【合并 N 条通知 #seq】09:00:01–09:01:02`
 * (the time range and the sequence number keep two merged messages from ever being identical, so
 * WeCom's duplicate check never swallows one). Items that do not fit stay for the next slot.
 */
export function mergeNotifications(items: readonly MergeItem[], maxParts: number, sequence: number, layout: MergeLayout): MergedMessage {
  const measure = layout.measure ?? utf8Bytes;
  const zone = layout.timeZone ?? DEFAULT_TIME_ZONE;
  const label = layout.label ?? '合并';
  // Room for the longest header this batch can have (counts and part markers of the same width).
  const widest = `【${label} ${items.length} 条通知 #${sequence}】00:00:00–00:00:00 (${maxParts}/${maxParts})\n`;
  const room = layout.maxBytes - measure(widest);
  if (room < 64) throw new RangeError(`merged message budget too small (${layout.maxBytes})`);
  const cap = Math.min(room, Math.max(256, Math.floor(room / 3)));
  const bodies: string[][] = [];
  const partOf: number[] = [];
  let current: string[] = [];
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    const text = mergeItemText(items[i], i + 1, layout, cap);
    const size = measure(text) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && used + size > room) {
      bodies.push(current);
      if (bodies.length === maxParts) {
        current = [];
        break;
      }
      current = [];
      used = 0;
    }
    current.push(text);
    used += measure(text) + (current.length > 1 ? 1 : 0);
    partOf.push(bodies.length);
  }
  if (current.length > 0) bodies.push(current);
  const taken = partOf.length;
  const range = `${clockTime(items[0].at, zone)}–${clockTime(items[taken - 1].at, zone)}`;
  const parts = bodies.map((body, i) => {
    const marker = bodies.length > 1 ? ` (${i + 1}/${bodies.length})` : '';
    return `【${label} ${taken} 条通知 #${sequence}】${range}${marker}\n${body.join('\n')}`;
  });
  return { parts, taken, partOf };
}
