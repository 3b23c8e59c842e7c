import type { IncomingMessage } from 'node:http';

type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: Buffer };

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request body as text: Nest's `rawBody` when enabled, the unparsed stream for content types
 * no parser touched (text/xml), else the parsed body re-serialised (64-bit ids may lose precision).
 */
export async function readRawBody(req: RequestWithBody): Promise<string> {
  if (req.rawBody) return req.rawBody.toString('utf8');
  if (typeof req.body === 'string') return req.body;
  if (Buffer.isBuffer(req.body)) return req.body.toString('utf8');
  const parsed = req.body;
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object' && (req.readableEnded || Object.keys(parsed).length > 0)) {
    return JSON.stringify(parsed);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('callback body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
