import { Deduplicator } from '../../engine/dedupe';
import { idToString, isRecord, parseJsonLossless } from '../../engine/json';
import { validationError } from '../../model/notify-error';

/** The `{"testMsg": …}` probe a server posts right after `/tools/setCallback`. */
export interface GewechatProbeEvent {
  kind: 'probe';
  message: string;
}

/** An `AddMsg` callback: one chat message, sent or received by the account. */
export interface GewechatMessageEvent {
  kind: 'message';
  typeName: string;
  appId: string;
  /** The account's own wxid. */
  wxid: string;
  msgId?: string;
  /** 64-bit id, exact, as a string. */
  newMsgId: string;
  msgType: number;
  fromWxid: string;
  toWxid: string;
  /** The raw content (for groups still prefixed with `"<sender>:\n"`). */
  content: string;
  /** The message text without the group sender prefix. */
  text: string;
  isGroup: boolean;
  /** The `…@chatroom` id for group messages. */
  roomId?: string;
  /** Who wrote it: the group member for group messages, else `fromWxid`. */
  senderWxid: string;
  /** Sent by the account itself (from another device or by this API). */
  isSelf: boolean;
  /** Where a reply goes: the group, or the other side of a private chat. */
  replyTo: string;
  createTime?: number;
  pushContent?: string;
  /** `appId:newMsgId`, the key for de-duplication. */
  dedupeKey: string;
  data: Record<string, unknown>;
}

/** Any other callback (`ModContacts`, `DelContacts`, `Offline`, `FinderMsg`, …). */
export interface GewechatOtherEvent {
  kind: 'event';
  typeName: string;
  appId?: string;
  wxid?: string;
  data: unknown;
}

export type GewechatCallbackEvent = GewechatProbeEvent | GewechatMessageEvent | GewechatOtherEvent;

type Json = Record<string, unknown>;

/** Reads a field whatever its casing (`TypeName`, `type_name`, `typeName` are the same field). */
function field(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const wanted = name.replace(/_/g, '').toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.replace(/_/g, '').toLowerCase() === wanted) return obj[key];
  }
  return undefined;
}

/** gewechat wraps strings as `{"string": "…"}`; accept plain strings too. */
function wrappedString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const inner = field(value, 'string');
    if (typeof inner === 'string') return inner;
  }
  return '';
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function invalid(message: string): never {
  throw validationError('gewechat', 'INVALID_CALLBACK', message, 'Post the raw callback body from the gewechat server unchanged.');
}

function parseMessage(typeName: string, appId: string, wxid: string, data: Json): GewechatMessageEvent {
  const newMsgId = idToString(field(data, 'NewMsgId'));
  if (!newMsgId) invalid(`${typeName} callback without Data.NewMsgId`);
  const fromWxid = wrappedString(field(data, 'FromUserName'));
  const toWxid = wrappedString(field(data, 'ToUserName'));
  const content = wrappedString(field(data, 'Content'));
  const isSelf = wxid !== '' && fromWxid === wxid;
  const roomId = fromWxid.endsWith('@chatroom') ? fromWxid : toWxid.endsWith('@chatroom') ? toWxid : undefined;
  let senderWxid = fromWxid;
  let text = content;
  if (roomId && !isSelf) {
    // Group messages from others read "<sender wxid>:\n<text>".
    const match = /^([^\s:]+):\n([\s\S]*)$/.exec(content);
    if (match) {
      senderWxid = match[1];
      text = match[2];
    }
  }
  return {
    kind: 'message',
    typeName,
    appId,
    wxid,
    msgId: idToString(field(data, 'MsgId')),
    newMsgId,
    msgType: optionalNumber(field(data, 'MsgType')) ?? 0,
    fromWxid,
    toWxid,
    content,
    text,
    isGroup: roomId !== undefined,
    ...(roomId ? { roomId } : {}),
    senderWxid,
    isSelf,
    replyTo: roomId ?? (isSelf ? toWxid : fromWxid),
    createTime: optionalNumber(field(data, 'CreateTime')),
    pushContent: typeof field(data, 'PushContent') === 'string' ? (field(data, 'PushContent') as string) : undefined,
    dedupeKey: `${appId}:${newMsgId}`,
    data,
  };
}

/**
 * Parses a raw callback body into a typed event. The text is parsed losslessly, so 64-bit ids
 * (`NewMsgId`) stay exact. Both key casings (`TypeName/Appid/Data` and `type_name/appid/data`) work.
 * The probe's token is dropped so the event can be logged safely.
 */
export function parseGewechatCallback(rawText: string): GewechatCallbackEvent {
  let body: unknown;
  try {
    body = parseJsonLossless(rawText);
  } catch {
    invalid('callback body is not JSON');
  }
  if (!isRecord(body)) invalid('callback body must be a JSON object');
  const testMsg = field(body, 'testMsg');
  if (typeof testMsg === 'string') return { kind: 'probe', message: testMsg };
  const typeName = field(body, 'TypeName');
  if (typeof typeName !== 'string' || typeName === '') invalid('callback without TypeName');
  const appId = idToString(field(body, 'Appid')) ?? '';
  const wxid = idToString(field(body, 'Wxid')) ?? '';
  const data = field(body, 'Data');
  if (typeName === 'AddMsg') {
    if (!isRecord(data)) invalid('AddMsg callback without Data');
    return parseMessage(typeName, appId, wxid, data);
  }
  return { kind: 'event', typeName, ...(appId ? { appId } : {}), ...(wxid ? { wxid } : {}), data };
}

export interface GewechatCallbackReceipt {
  event: GewechatCallbackEvent;
  /** True when this message (same appId + NewMsgId) was already accepted recently. */
  duplicate: boolean;
}

/** Parses callbacks and flags redelivered messages; hosts keep one per process (or per account). */
export class GewechatCallbackInbox {
  constructor(private readonly dedupe: Deduplicator = new Deduplicator()) {}

  accept(rawText: string): GewechatCallbackReceipt {
    const event = parseGewechatCallback(rawText);
    const duplicate = event.kind === 'message' ? this.dedupe.isDuplicate(event.dedupeKey) : false;
    return { event, duplicate };
  }
}
