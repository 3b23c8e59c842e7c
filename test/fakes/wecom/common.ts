import type { Clock } from '@wxnotify/core';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

let requestCounter = 0;

/** An errmsg shaped like the real ones: `<text>, hint: [<id>], from ip: <ip>, more info at …?e=<code>`. */
export function weComErrmsg(code: number, text: string, ip: string): string {
  requestCounter++;
  return `${text}, hint: [${(1700000000 + requestCounter).toString(36)}-fake], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;
}

export const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');
export const chars = (text: string): number => Array.from(text).length;

/** Cuts to `max` UTF-8 bytes on a code-point boundary (how WeCom truncates). */
export function cutBytes(text: string, max: number): string {
  let out = '';
  for (const cp of text) {
    if (utf8(out + cp) > max) break;
    out += cp;
  }
  return out;
}

/** Normalises an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`). */
export const plainIp = (ip: string): string => ip.replace(/^::ffff:/, '');

/** A WeCom answer with errcode != 0 (HTTP 200), thrown inside the fakes' handlers. */
export class WeComError {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {}
}
