import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { isAlertInput, sendAlertGroups, type AlertMessage } from './alert-input';
import { errorItemJson, toNodeError } from './node-errors';
import { runItems } from './run-items';

export type OperationExecute<C> = (this: IExecuteFunctions, channel: C, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

/** resource → operation → handler */
export type OperationMap<C> = Record<string, Record<string, OperationExecute<C>>>;

/** How a node sends one rendered alert group (its "Alert payload" input mode), and for which channel type. */
export interface AlertRoute<C> {
	channel: 'wecom-app' | 'wecom-bot' | 'wxpusher';
	send: (this: IExecuteFunctions, channel: C, message: AlertMessage) => Promise<IDataObject>;
}

/**
 * The body of every action node's execute(): pick the handler, build ONE channel for the whole
 * execution (one token fetch for all items), run the items with bounded concurrency.
 */
export async function routeItems<C>(
	ctx: IExecuteFunctions,
	operations: OperationMap<C>,
	createChannel: (this: IExecuteFunctions) => Promise<C>,
	alerts?: AlertRoute<C>,
): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	let channel: C;
	try {
		channel = await createChannel.call(ctx);
	} catch (error) {
		// A bad credential fails every item the same way.
		if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error);
		return [ctx.getInputData().map((_item, item) => ({ json: errorItemJson(error), pairedItem: { item } }))];
	}
	if (alerts && isAlertInput(ctx)) return await sendAlertGroups(ctx, alerts.channel, (message) => alerts.send.call(ctx, channel, message));
	return await runItems(ctx, (itemIndex) => handler.call(ctx, channel, itemIndex));
}
