import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** WeCom pads to 32-byte blocks (PKCS#7 with block size 32), not AES's 16. */
const PAD_BLOCK = 32;

export class WeComCryptoError extends Error {
  constructor(
    readonly code: 'BAD_KEY' | 'BAD_SIGNATURE' | 'BAD_PADDING' | 'BAD_RECEIVEID' | 'BAD_CIPHERTEXT' | 'STALE_TIMESTAMP' | 'BAD_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'WeComCryptoError';
  }
}

/** `EncodingAESKey` (43 chars) → the 32-byte AES key. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new WeComCryptoError('BAD_KEY', 'EncodingAESKey must be exactly 43 letters and digits');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WeComCryptoError('BAD_KEY', 'EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** hex(SHA1(sorted(token, timestamp, nonce, encrypt).join(''))) */
export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function pkcs7Pad(data: Buffer): Buffer {
  const pad = PAD_BLOCK - (data.length % PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

export function pkcs7Unpad(data: Buffer): Buffer {
  const pad = data.length > 0 ? data[data.length - 1] : 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > data.length) throw new WeComCryptoError('BAD_PADDING', 'invalid padding');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new WeComCryptoError('BAD_PADDING', 'invalid padding');
  }
  return data.subarray(0, data.length - pad);
}

export interface DecryptedPayload {
  message: string;
  receiveId: string;
  random: Buffer;
}

/** AES-256-CBC decrypt of `random(16) ‖ len(4, BE) ‖ message ‖ receiveid`. Does not check receiveid. */
export function decryptPayload(aesKey: Buffer, encrypt: string): DecryptedPayload {
  const cipherText = Buffer.from(encrypt, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new WeComCryptoError('BAD_CIPHERTEXT', 'ciphertext is not a whole number of AES blocks');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    throw new WeComCryptoError('BAD_CIPHERTEXT', 'ciphertext could not be decrypted');
  }
  const body = pkcs7Unpad(plain);
  if (body.length < 20) throw new WeComCryptoError('BAD_CIPHERTEXT', 'decrypted payload too short');
  const length = body.readUInt32BE(16);
  if (20 + length > body.length) throw new WeComCryptoError('BAD_CIPHERTEXT', 'message length exceeds payload');
  return {
    random: body.subarray(0, 16),
    message: body.subarray(20, 20 + length).toString('utf8'),
    receiveId: body.subarray(20 + length).toString('utf8'),
  };
}

/** The inverse of `decryptPayload`; `random` (16 bytes) is only fixed in tests. */
export function encryptPayload(aesKey: Buffer, message: string, receiveId: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new RangeError('random must be 16 bytes');
  const msg = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, msg, Buffer.from(receiveId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
