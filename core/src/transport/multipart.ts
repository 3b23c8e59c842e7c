import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  field: string;
  filename: string;
  contentType?: string;
  data: Buffer;
}

/** Encodes one multipart/form-data body (WeCom wants `filelength` in the part header too). */
export function encodeMultipart(files: MultipartFile[]): { body: Buffer; contentType: string } {
  const boundary = `----wxnotify${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const file of files) {
    const safeName = file.filename.replace(/["\r\n]/g, '_');
    const head =
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${file.field}"; filename="${safeName}"; filelength=${file.data.length}\r\n` +
      `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
