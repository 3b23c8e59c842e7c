import type { IWebhookFunctions } from 'n8n-workflow';
import { replyExactly } from '../webhook-reply';

// The page runs no script and loads nothing; it may only post to itself.
const PAGE_HEADERS = {
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'Cache-Control': 'no-store',
};

export function replyPage(ctx: IWebhookFunctions, status: number, html: string): void {
	const res = ctx.getResponseObject();
	for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
	replyExactly(ctx, status, html, 'text/html; charset=utf-8');
}
