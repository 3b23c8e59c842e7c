import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../engine/clock';
import {
  computeSignature,
  decodeAesKey,
  decryptPayload,
  encryptPayload,
  signaturesMatch,
  WeComCryptoError,
} from './crypto';
import { buildFlatXml, parseFlatXml, type XmlObject } from './xml';

export * from './crypto';
export { parseTemplateCardEvent, TemplateCardInbox, type TemplateCardEvent, type TemplateCardReceipt } from './card-event';
export { parseFlatXml, buildFlatXml, type XmlObject, type XmlValue } from './xml';
export { passiveTextReplyXml } from './passive-reply';

export interface WeComCallbackOptions {
  /** The callback Token from the app's "receive messages" settings. */
  token: string;
  /** The 43-character EncodingAESKey from the same page. */
  encodingAESKey: string;
  /** CorpID for self-built apps (suite id for third-party suites); checked on every decrypt. */
  receiveId: string;
  /** Reject requests whose `timestamp` is further than this from now (off by default). */
  maxTimestampSkewSeconds?: number;
  clock?: Clock;
}

/** Query parameters as any framework hands them over (repeated keys take the first value). */
export type CallbackQuery = Record<string, string | string[] | undefined>;

/** A decrypted callback message: the flat XML as an object, values as strings (64-bit MsgIds stay exact). */
export type WeComCallbackMessage = XmlObject;

/**
 * WeCom callback crypto (URL verification, message decryption, encrypted passive replies), shared
 * by the n8n WeCom Trigger and the NestJS callback controller. Every failure is a
 * `WeComCryptoError` with a code; answer those with HTTP 400/403 and nothing else.
 */
export class WeComCallback {
  private readonly aesKey: Buffer;
  private readonly clock: Clock;

  constructor(private readonly options: WeComCallbackOptions) {
    if (!options.token) throw new WeComCryptoError('BAD_KEY', 'callback token is required');
    if (!options.receiveId) throw new WeComCryptoError('BAD_KEY', 'receiveId (CorpID) is required');
    this.aesKey = decodeAesKey(options.encodingAESKey);
    this.clock = options.clock ?? systemClock;
  }

  /** GET verification: checks the signature over `echostr` and returns the plaintext to answer with. */
  verifyUrl(query: CallbackQuery): string {
    const { signature, timestamp, nonce } = this.readQuery(query);
    // Naive query parsers turn the '+' of an unencoded base64 echostr into a space.
    const echostr = first(query.echostr)?.replace(/ /g, '+');
    if (!echostr) throw new WeComCryptoError('BAD_REQUEST', 'echostr is missing');
    this.checkSignature(signature, timestamp, nonce, echostr);
    return this.open(echostr);
  }

  /** POST callback: checks signature, decrypts `<Encrypt>`, checks the receiveid, parses the inner XML. */
  decryptMessage(query: CallbackQuery, xmlBody: string): WeComCallbackMessage {
    return parseFlatXml(this.decryptMessageXml(query, xmlBody));
  }

  /** Like `decryptMessage` but returns the decrypted XML text. */
  decryptMessageXml(query: CallbackQuery, xmlBody: string): string {
    const { signature, timestamp, nonce } = this.readQuery(query);
    let envelope: XmlObject;
    try {
      envelope = parseFlatXml(xmlBody);
    } catch (error) {
      throw new WeComCryptoError('BAD_REQUEST', `body is not valid callback XML: ${(error as Error).message}`);
    }
    const encrypt = envelope.Encrypt;
    if (typeof encrypt !== 'string' || encrypt === '') throw new WeComCryptoError('BAD_REQUEST', 'body has no <Encrypt> element');
    this.checkSignature(signature, timestamp, nonce, encrypt);
    return this.open(encrypt);
  }

  /** Encrypts a passive reply (plain reply XML) into the signed envelope WeCom expects. */
  encryptReply(replyXml: string, options: { timestamp?: string; nonce?: string; random?: Buffer } = {}): string {
    const timestamp = options.timestamp ?? String(Math.floor(this.clock.now() / 1000));
    const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
    const encrypt = this.encrypt(replyXml, options.random);
    return buildFlatXml({
      Encrypt: encrypt,
      MsgSignature: computeSignature(this.options.token, timestamp, nonce, encrypt),
      TimeStamp: Number(timestamp),
      Nonce: nonce,
    });
  }

  /** Raw encrypt (base64) of any message with this app's key and receiveid. */
  encrypt(message: string, random?: Buffer): string {
    return encryptPayload(this.aesKey, message, this.options.receiveId, random);
  }

  sign(timestamp: string, nonce: string, encrypt: string): string {
    return computeSignature(this.options.token, timestamp, nonce, encrypt);
  }

  private open(encrypt: string): string {
    const payload = decryptPayload(this.aesKey, encrypt);
    if (payload.receiveId !== this.options.receiveId) {
      throw new WeComCryptoError('BAD_RECEIVEID', 'message was encrypted for another receiveid (CorpID)');
    }
    return payload.message;
  }

  private checkSignature(signature: string, timestamp: string, nonce: string, encrypt: string): void {
    const expected = computeSignature(this.options.token, timestamp, nonce, encrypt);
    if (!signaturesMatch(expected, signature)) throw new WeComCryptoError('BAD_SIGNATURE', 'msg_signature does not match');
    const skew = this.options.maxTimestampSkewSeconds;
    if (skew !== undefined) {
      const ts = Number(timestamp);
      if (!Number.isFinite(ts) || Math.abs(this.clock.now() / 1000 - ts) > skew) {
        throw new WeComCryptoError('STALE_TIMESTAMP', `timestamp is more than ${skew} s away from now`);
      }
    }
  }

  private readQuery(query: CallbackQuery): { signature: string; timestamp: string; nonce: string } {
    const signature = first(query.msg_signature);
    const timestamp = first(query.timestamp);
    const nonce = first(query.nonce);
    if (!signature || !timestamp || !nonce) {
      throw new WeComCryptoError('BAD_REQUEST', 'msg_signature, timestamp and nonce are required');
    }
    return { signature, timestamp, nonce };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
