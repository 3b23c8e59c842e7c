import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { isNotifyError, redactUrl } from '../../core/src';

/** The core names config keys (baseUrl, corpSecret); the n8n forms call them "Base URL" and "App Secret". */
export function inN8nTerms(text: string): string;
export function inN8nTerms(text: string | undefined): string | undefined;
export function inN8nTerms(text: string | undefined): string | undefined {
	return text?.replace(/\bbaseUrl\b/g, 'Base URL').replace(/\bcorpSecret\b/g, 'App Secret');
}

/** The JSON a failed item carries with "continue on fail": enough to branch on, no secrets. The hint has its own field. */
export function errorItemJson(error: unknown): IDataObject {
	if (isNotifyError(error)) {
		return {
			error: inN8nTerms(error.summary),
			code: error.code,
			hint: inN8nTerms(error.hint) ?? null,
			retryable: error.retryable,
			kind: error.kind,
			channel: error.channel,
			...(error.partial ? { partial: error.partial as unknown as IDataObject } : {}),
		};
	}
	return { error: safeMessage(error), code: null, hint: null, retryable: false };
}

/**
 * Wraps any failure into the n8n error type the UI expects: validation problems are the user's
 * input (NodeOperationError), everything the upstream or the network said is a NodeApiError.
 */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (isNotifyError(error)) {
		// The hint goes into the description only: n8n shows message and description together.
		const details = { itemIndex, description: error.hint ? `Hint: ${inN8nTerms(error.hint)}` : undefined };
		const message = inN8nTerms(error.summary);
		if (error.kind === 'validation') return new NodeOperationError(node, message, details);
		return new NodeApiError(node, { code: String(error.code), message } as JsonObject, {
			...details,
			message,
			// WeCom answers errors with HTTP 200: n8n would print "200 - " before the message.
			httpCode: error.status !== undefined && (error.status < 200 || error.status > 299) ? String(error.status) : undefined,
		});
	}
	return new NodeOperationError(node, safeMessage(error), { itemIndex });
}

function safeMessage(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return redactUrl(message);
}
