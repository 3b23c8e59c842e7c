import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { isNotifyError, redactUrl } from '../../core/src';

/** The JSON a failed item carries with "continue on fail": enough to branch on, no secrets. */
export function errorItemJson(error: unknown): IDataObject {
	if (isNotifyError(error)) {
		return {
			error: error.message,
			code: error.code,
			hint: error.hint ?? null,
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
		const details = { itemIndex, description: error.hint ? `Hint: ${error.hint}` : undefined };
		if (error.kind === 'validation') return new NodeOperationError(node, error.message, details);
		return new NodeApiError(node, { code: String(error.code), message: error.message } as JsonObject, {
			...details,
			message: error.message,
			httpCode: error.status !== undefined ? String(error.status) : undefined,
		});
	}
	return new NodeOperationError(node, safeMessage(error), { itemIndex });
}

function safeMessage(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return redactUrl(message);
}
