import type { IHttpRequestOptions } from 'n8n-workflow';
import { abortedRequest, TransportError, toTransportErrorCode } from '../../core/src';
import type { HttpRequest, HttpResponse, Transport } from '../../core/src';

/** The part of n8n's helpers the transport needs (execute, load-options, webhook and hook contexts all have it). */
export interface HttpRequestHelper {
	httpRequest(options: IHttpRequestOptions): Promise<unknown>;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, unknown>;
	statusCode: number;
}

/**
 * The core's Transport over n8n's request helper: every status resolves (the core reads error
 * codes from the body), the body comes back as raw text, network failures become TransportErrors.
 */
export function createN8nTransport(helpers: HttpRequestHelper): Transport {
	return {
		async request(req: HttpRequest): Promise<HttpResponse> {
			if (req.signal?.aborted) throw abortedRequest(false);
			let response: FullResponse;
			try {
				response = (await helpers.httpRequest({
					method: req.method,
					url: req.url,
					headers: req.headers,
					body: req.body,
					timeout: req.timeoutMs,
					json: false,
					encoding: 'arraybuffer',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
					...(req.signal ? { abortSignal: req.signal } : {}),
				})) as FullResponse;
			} catch (error) {
				// n8n does not say whether the request had left; count it as on the wire.
				if (req.signal?.aborted) throw abortedRequest(true);
				throw toTransportError(error);
			}
			return { status: response.statusCode, headers: flattenHeaders(response.headers), text: bodyText(response.body) };
		},
	};
}

function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
	return JSON.stringify(body);
}

function flattenHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		if (value === undefined || value === null) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

function toTransportError(error: unknown): TransportError {
	if (error instanceof TransportError) return error;
	const err = error as { code?: string; cause?: { code?: string }; message?: string };
	const code = toTransportErrorCode(err?.code ?? err?.cause?.code);
	// Only the code and a generic text: n8n/axios messages can echo the full URL with its secrets.
	return new TransportError(code, `request failed (${err?.code ?? err?.cause?.code ?? 'network error'})`);
}
