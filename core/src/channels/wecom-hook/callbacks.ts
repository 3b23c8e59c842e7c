import { idToString, isRecord, parseJsonLossless } from '../../engine/json';
import { validationError } from '../../model/notify-error';

/** notify_type values that carry chat messages: 11010 one message, 11013 a batch (array). */
export const WECOM_HOOK_MESSAGE_NOTIFY_TYPES = [11010, 11013] as const;

export interface WeComHookMessage {
  id?: string;
  seq?: string;
  /** Correlates an own message with the send that produced it (see SendConfirmations). */
  appinfo?: string;
  sender: string;
  receiver: string;
  /** Undefined for private chats (`roomid "0"`). */
  roomId?: string;
  senderName?: string;
  sendTime?: number;
  msgType?: number;
  contentType?: number;
  /** The readable text: plain content, or `msg` from a JSON-string content like `{"msg":"hello"}`. */
  text: string;
  /** Content as delivered. */
  content: unknown;
  atList: unknown[];
  /** `inbound` (send_flag 0) or `echo` of the account's own message (send_flag 1). */
  direction: 'inbound' | 'echo';
  /** Where a reply goes: `R:<roomid>` for groups, else `S:<other side>`. */
  replyTo: string;
  /** `guid:id` (or `guid:seq`), for de-duplication. */
  dedupeKey: string;
  raw: Record<string, unknown>;
}

export type WeComHookCallback =
  | { kind: 'messages'; guid: string; notifyType: number; messages: WeComHookMessage[]; eventId?: string }
  | { kind: 'event'; guid: string; notifyType: number; data: unknown; eventId?: string };

type Json = Record<string, unknown>;

/** Parses text losslessly, or throws the callback's validation error with `message`. */
function parseOrInvalid(text: string, message: string): unknown {
  try {
    return parseJsonLossless(text);
  } catch {
    return invalid(message);
  }
}

function invalid(message: string): never {
  throw validationError('wecom-hook', 'INVALID_CALLBACK', message, 'Pass the raw callback body (or WebSocket frame) from the hook unchanged.');
}

function str(value: unknown): string {
  return idToString(value) ?? '';
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Plain text, or the `msg` (or `content`/`text`) field of a JSON-string content. */
export function hookMessageText(content: unknown): string {
  if (typeof content === 'string') {
    const trimmed = content.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = JSON.parse(trimmed) as unknown;
        if (isRecord(parsed)) {
          for (const key of ['msg', 'content', 'text']) if (typeof parsed[key] === 'string') return parsed[key] as string;
        }
      } catch {
        // Not JSON after all: plain text that starts with "{".
      }
    }
    return content;
  }
  if (isRecord(content)) {
    for (const key of ['msg', 'content', 'text']) if (typeof content[key] === 'string') return content[key] as string;
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

function parseMessage(guid: string, raw: unknown): WeComHookMessage {
  if (!isRecord(raw)) invalid('message entry is not an object');
  const roomid = str(raw.roomid ?? raw.room_id);
  const roomId = roomid !== '' && roomid !== '0' ? roomid : undefined;
  const sender = str(raw.sender);
  const receiver = str(raw.receiver);
  const direction = Number(raw.send_flag) === 1 ? 'echo' : 'inbound';
  const id = idToString(raw.id);
  const seq = idToString(raw.seq);
  return {
    ...(id ? { id } : {}),
    ...(seq ? { seq } : {}),
    ...(typeof raw.appinfo === 'string' && raw.appinfo !== '' ? { appinfo: raw.appinfo } : {}),
    sender,
    receiver,
    ...(roomId ? { roomId } : {}),
    ...(typeof raw.sender_name === 'string' ? { senderName: raw.sender_name } : {}),
    sendTime: num(raw.sendtime ?? raw.send_time),
    msgType: num(raw.msg_type),
    contentType: num(raw.content_type),
    text: hookMessageText(raw.content),
    content: raw.content,
    atList: Array.isArray(raw.at_list) ? raw.at_list : [],
    direction,
    replyTo: roomId ? `R:${roomId}` : `S:${direction === 'echo' ? receiver : sender}`,
    dedupeKey: `${guid}:${id ?? seq ?? ''}`,
    raw,
  };
}

/**
 * Parses a hook callback: an HTTP POST body (`{guid, notify_type, data}`) or a WebSocket frame
 * (`{type:"callback", event_id, event}` with the event as an object or a JSON string). Text input is
 * parsed losslessly. 11010 and 11013 become messages; other notify types are returned as events.
 */
export function parseWeComHookCallback(input: string | Record<string, unknown>): WeComHookCallback {
  let body: unknown = typeof input === 'string' ? parseOrInvalid(input, 'callback body is not JSON') : input;
  if (!isRecord(body)) invalid('callback body must be a JSON object');
  let eventId: string | undefined;
  if (body.type === 'callback' && 'event' in body) {
    eventId = idToString(body.event_id);
    const event = typeof body.event === 'string' ? parseOrInvalid(body.event, 'callback frame event is not JSON') : body.event;
    if (!isRecord(event)) invalid('callback frame event must be an object');
    body = event;
  }
  const record = body as Json;
  const notifyType = num(record.notify_type);
  if (notifyType === undefined) invalid('callback without notify_type');
  const guid = str(record.guid);
  const extra = eventId !== undefined ? { eventId } : {};
  if ((WECOM_HOOK_MESSAGE_NOTIFY_TYPES as readonly number[]).includes(notifyType)) {
    const list = Array.isArray(record.data) ? record.data : record.data === undefined ? [] : [record.data];
    return { kind: 'messages', guid, notifyType, messages: list.map((m) => parseMessage(guid, m)), ...extra };
  }
  return { kind: 'event', guid, notifyType, data: record.data, ...extra };
}
