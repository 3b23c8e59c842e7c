import { buildFlatXml, WeComCallback, WeComCryptoError, computeSignature, decodeAesKey, decryptPayload, parseFlatXml, pkcs7Pad, pkcs7Unpad } from '@wxnotify/core';

// Vectors A–E: /work/shared/reference/upstream-apis.md §1.7 (verbatim).
const TENCENT = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' };
const WECHATPY = { token: '123456', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR', receiveId: 'wx49f0ab532d5d035a' };

const A = {
  msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};
const B_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const B = { msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' };
const C = {
  msg_signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
  timestamp: '1411443780',
  nonce: '437374425',
  echostr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
};
const D_ENCRYPT =
  'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
const D = { msg_signature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d', timestamp: '1411525903', nonce: '461056294' };
const E_REPLY = `<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>`;
const E_ENCRYPT =
  '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3';

const envelope = (encrypt: string, to = 'wx5823bf96d3bd56c7') =>
  `<xml><ToUserName><![CDATA[${to}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;

function cryptoError(fn: () => unknown): WeComCryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeComCryptoError);
    return error as WeComCryptoError;
  }
  throw new Error('expected a WeComCryptoError');
}

describe('WeCom callback crypto (vectors A–E)', () => {
  const tencent = new WeComCallback(TENCENT);
  const wechatpy = new WeComCallback(WECHATPY);

  it('A: verifies the URL and returns the echostr plaintext', () => {
    expect(computeSignature(TENCENT.token, A.timestamp, A.nonce, A.echostr)).toBe(A.msg_signature);
    expect(tencent.verifyUrl(A)).toBe('1616140317555161061');
    const payload = decryptPayload(decodeAesKey(TENCENT.encodingAESKey), A.echostr);
    expect(payload.receiveId).toBe('wx5823bf96d3bd56c7');
  });

  it('B: decrypts the message push (pad 30, needs manual unpadding) and re-encrypts byte for byte', () => {
    const message = tencent.decryptMessage(B, envelope(B_ENCRYPT));
    expect(message).toEqual({
      ToUserName: 'wx5823bf96d3bd56c7',
      FromUserName: 'mycreate',
      CreateTime: '1409659813',
      MsgType: 'text',
      Content: 'hello',
      MsgId: '4561255354251345929',
      AgentID: '218',
    });
    const key = decodeAesKey(TENCENT.encodingAESKey);
    const payload = decryptPayload(key, B_ENCRYPT);
    expect(payload.random.toString('latin1')).toBe('0960688932c47ef1');
    expect(Buffer.byteLength(payload.message)).toBe(284);
    expect(tencent.encrypt(payload.message, payload.random)).toBe(B_ENCRYPT);
  });

  it('C: verifies the wechatpy echostr', () => {
    expect(wechatpy.verifyUrl(C)).toBe('5927782489442352469');
  });

  it('D: decrypts the wechatpy message (pad 1)', () => {
    const message = wechatpy.decryptMessage(D, envelope(D_ENCRYPT, WECHATPY.receiveId));
    expect(message).toMatchObject({ FromUserName: 'messense', Content: 'test', MsgId: '4363689963896700987', AgentID: '1' });
  });

  it('E: encrypts a passive reply deterministically', () => {
    const reply = wechatpy.encryptReply(E_REPLY, { timestamp: '1411525903', nonce: '461056294', random: Buffer.from('1234567890123456') });
    const parsed = parseFlatXml(reply);
    expect(parsed).toEqual({ Encrypt: E_ENCRYPT, MsgSignature: '407518b7649e86ef23978113f92d27afa9296533', TimeStamp: '1411525903', Nonce: '461056294' });
    // And the reply decrypts back through the receiving path.
    expect(wechatpy.decryptMessageXml({ msg_signature: parsed.MsgSignature as string, timestamp: '1411525903', nonce: '461056294' }, reply)).toBe(E_REPLY);
  });

  it('rejects a wrong signature, a tampered ciphertext and a foreign receiveid', () => {
    expect(cryptoError(() => tencent.verifyUrl({ ...A, msg_signature: A.msg_signature.replace(/^5/, '6') })).code).toBe('BAD_SIGNATURE');
    expect(cryptoError(() => tencent.verifyUrl({ ...A, nonce: '1' })).code).toBe('BAD_SIGNATURE');
    const other = new WeComCallback({ ...TENCENT, receiveId: 'wwsomeoneelse' });
    expect(cryptoError(() => other.verifyUrl(A)).code).toBe('BAD_RECEIVEID');
    const tampered = Buffer.from(A.echostr, 'base64');
    tampered[tampered.length - 1] ^= 0xff;
    const echostr = tampered.toString('base64');
    const signed = { ...A, echostr, msg_signature: computeSignature(TENCENT.token, A.timestamp, A.nonce, echostr) };
    expect(['BAD_PADDING', 'BAD_CIPHERTEXT', 'BAD_RECEIVEID']).toContain(cryptoError(() => tencent.verifyUrl(signed)).code);
    expect(cryptoError(() => tencent.verifyUrl({ timestamp: '1', nonce: '2' })).code).toBe('BAD_REQUEST');
  });

  it('accepts an echostr whose "+" a query parser turned into spaces', () => {
    expect(tencent.verifyUrl({ ...A, echostr: A.echostr.replace(/\+/g, ' ') })).toBe('1616140317555161061');
  });

  it('checks timestamp staleness when asked', () => {
    const now = Number(B.timestamp) * 1000;
    const strict = new WeComCallback({ ...TENCENT, maxTimestampSkewSeconds: 300, clock: { now: () => now + 301_000, sleep: async () => {} } });
    expect(cryptoError(() => strict.decryptMessage(B, envelope(B_ENCRYPT))).code).toBe('STALE_TIMESTAMP');
    const fresh = new WeComCallback({ ...TENCENT, maxTimestampSkewSeconds: 300, clock: { now: () => now + 299_000, sleep: async () => {} } });
    expect(fresh.decryptMessage(B, envelope(B_ENCRYPT)).Content).toBe('hello');
  });

  it('rejects a bad EncodingAESKey up front', () => {
    expect(cryptoError(() => new WeComCallback({ ...TENCENT, encodingAESKey: 'short' })).code).toBe('BAD_KEY');
  });

  it('pads with block size 32 (a full block when aligned) and refuses bad padding', () => {
    expect(pkcs7Pad(Buffer.alloc(32)).length).toBe(64);
    expect(pkcs7Pad(Buffer.alloc(2))[31]).toBe(30);
    expect(pkcs7Unpad(pkcs7Pad(Buffer.from('abc'))).toString()).toBe('abc');
    expect(() => pkcs7Unpad(Buffer.from([1, 2, 3, 0]))).toThrow(WeComCryptoError);
    expect(() => pkcs7Unpad(Buffer.concat([Buffer.alloc(31, 1), Buffer.from([33])]))).toThrow(WeComCryptoError);
  });
});

describe('parseFlatXml', () => {
  it('reads CDATA, entities, self-closing and nested elements, keeps big ids as strings', () => {
    const xml = `<?xml version="1.0"?><xml><A><![CDATA[x ]]]]><![CDATA[>]]></A><B>1 &amp; 2</B><C/><MsgId>12345678901234567890</MsgId><Ev><Key>k</Key><Key>j</Key></Ev></xml>`;
    expect(parseFlatXml(xml)).toEqual({ A: 'x ]]>', B: '1 & 2', C: '', MsgId: '12345678901234567890', Ev: { Key: ['k', 'j'] } });
  });

  it('refuses DOCTYPE/ENTITY (no entity expansion) and malformed input', () => {
    expect(() => parseFlatXml('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')).toThrow();
    expect(() => parseFlatXml('<xml><A>1</B></xml>')).toThrow();
    expect(() => parseFlatXml('<xml><A><![CDATA[1</A></xml>')).toThrow();
    expect(() => parseFlatXml('not xml')).toThrow();
  });

  it('round-trips buildFlatXml, including a "]]>" inside a value', () => {
    expect(parseFlatXml(buildFlatXml({ Content: 'a ]]> b <c>', CreateTime: 1 }))).toEqual({ Content: 'a ]]> b <c>', CreateTime: '1' });
  });

  it('ignores prototype-polluting element names', () => {
    const parsed = parseFlatXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual([]);
  });
});
