import { buildFlatXml, type XmlObject } from './xml';

/**
 * The plain XML of a passive text reply to a decrypted callback message: addressed back to the
 * sender, from the app's corp. Encrypt it with `WeComCallback.encryptReply` before answering.
 */
export function passiveTextReplyXml(message: XmlObject, content: string, createTimeSeconds: number): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return buildFlatXml({
    ToUserName: text(message.FromUserName),
    FromUserName: text(message.ToUserName),
    CreateTime: Math.floor(createTimeSeconds),
    MsgType: 'text',
    Content: content,
  });
}
