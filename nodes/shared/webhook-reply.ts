import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/**
 * Writes the exact reply an upstream expects and tells n8n not to add its own (n8n's default
 * "onReceived" body is the literal text "firstEntryJson"). Uses only node:http response methods,
 * so it works on n8n's Express response and on a bare ServerResponse.
 */
export function replyExactly(ctx: IWebhookFunctions, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
	const res = ctx.getResponseObject();
	res.statusCode = status;
	res.setHeader('Content-Type', contentType);
	res.setHeader('Content-Length', Buffer.byteLength(body));
	res.end(body);
}

/** Reply written, no execution started. */
export function rejected(ctx: IWebhookFunctions, status: number, body: string): IWebhookResponseData {
	replyExactly(ctx, status, body);
	return { noWebhookResponse: true };
}

/** Reply written, and one execution started with these items. */
export function accepted(ctx: IWebhookFunctions, body: string, items: IDataObject[], contentType?: string): IWebhookResponseData {
	replyExactly(ctx, 200, body, contentType);
	if (items.length === 0) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [ctx.helpers.returnJsonArray(items)] };
}

/** The exact request bytes as text (n8n keeps them in rawBody; parsed bodies lose 64-bit ids and XML). */
export function rawBodyText(ctx: IWebhookFunctions): string {
	const raw = (ctx.getRequestObject() as { rawBody?: Buffer | string }).rawBody;
	if (Buffer.isBuffer(raw)) return raw.toString('utf8');
	if (typeof raw === 'string') return raw;
	const body = ctx.getBodyData();
	return body && Object.keys(body).length > 0 ? JSON.stringify(body) : '';
}
