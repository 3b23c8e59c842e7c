import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

export type SendAndWaitContext = IExecuteFunctions | IWebhookFunctions;

/** A parameter of the first item: execute() reads item 0 (as n8n's send-and-wait nodes do), the resume webhook has no items. */
export function param(ctx: SendAndWaitContext, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx ? ctx.getNodeParameter(name, 0, fallback) : (ctx as IWebhookFunctions).getNodeParameter(name, fallback);
}
