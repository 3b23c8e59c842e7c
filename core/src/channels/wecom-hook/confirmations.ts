import { Deduplicator } from '../../engine/dedupe';
import type { WeComHookCallback, WeComHookMessage } from './callbacks';

export interface SendConfirmationsOptions {
  /** Default wait for an echo (ms). */
  timeoutMs?: number;
  /** How long an echo that arrived before its send registered stays usable (ms). */
  rememberMs?: number;
  /** Bound on remembered echoes and pending waits. */
  maxEntries?: number;
}

/**
 * A send's response carries `msg_data.appinfo` base64-encoded, while its echo callback carries the
 * plain value (seen in the wild: `Q0FV…QUw=` ↔ `CAUQ…PAL`). Both sides are reduced to the plain form.
 */
export function canonicalAppinfo(appinfo: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(appinfo) || appinfo.length % 4 !== 0) return appinfo;
  const decoded = Buffer.from(appinfo, 'base64').toString('latin1');
  return /^[\x21-\x7e]+$/.test(decoded) && Buffer.from(decoded, 'latin1').toString('base64') === appinfo ? decoded : appinfo;
}

function isMessageList(input: unknown): input is readonly WeComHookMessage[] {
  return Array.isArray(input);
}

interface Pending {
  resolve(confirmed: boolean): void;
  timer: NodeJS.Timeout;
}

/**
 * Confirms sends by their echo: `wait(appinfo)` resolves true when the echo callback with the same
 * appinfo is `observe`d, false after the timeout. Echoes that arrive first are remembered.
 */
export class SendConfirmations {
  private readonly pending = new Map<string, Pending[]>();
  private readonly echoes: Deduplicator;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  private waiting = 0;

  constructor(options: SendConfirmationsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.echoes = new Deduplicator({ ttlMs: options.rememberMs ?? 5 * 60_000, maxEntries: this.maxEntries });
  }

  /** Resolves true once the echo of `appinfo` is seen, false after `timeoutMs`. */
  wait(appinfo: string, timeoutMs = this.timeoutMs): Promise<boolean> {
    const key = canonicalAppinfo(appinfo);
    if (this.echoes.has(key)) return Promise.resolve(true);
    if (this.pendingCount >= this.maxEntries) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry: Pending = {
        resolve,
        timer: setTimeout(() => {
          this.remove(key, entry);
          resolve(false);
        }, timeoutMs),
      };
      entry.timer.unref?.();
      const list = this.pending.get(key) ?? [];
      this.waiting++;
      list.push(entry);
      this.pending.set(key, list);
    });
  }

  /** Feeds callbacks (parsed) or messages; returns how many waits were confirmed. */
  observe(input: WeComHookCallback | WeComHookMessage | readonly WeComHookMessage[]): number {
    const messages: readonly WeComHookMessage[] = isMessageList(input)
      ? input
      : 'notifyType' in input
        ? input.kind === 'messages'
          ? input.messages
          : []
        : [input];
    let confirmed = 0;
    for (const message of messages) {
      if (message.direction !== 'echo' || !message.appinfo) continue;
      const key = canonicalAppinfo(message.appinfo);
      const waiting = this.pending.get(key);
      if (waiting) {
        this.pending.delete(key);
        for (const entry of waiting) {
          this.waiting--;
          clearTimeout(entry.timer);
          entry.resolve(true);
          confirmed++;
        }
      }
      this.echoes.isDuplicate(key);
    }
    return confirmed;
  }

  get pendingCount(): number {
    return this.waiting;
  }

  private remove(key: string, entry: Pending): void {
    this.waiting--;
    const list = this.pending.get(key)?.filter((e) => e !== entry) ?? [];
    if (list.length === 0) this.pending.delete(key);
    else this.pending.set(key, list);
  }
}
