import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { errorItemJson, toNodeError } from './node-errors';
import { runItems } from './run-items';

export type OperationExecute<C> = (this: IExecuteFunctions, channel: C, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

/** resource → operation → handler */
export type OperationMap<C> = Record<string, Record<string, OperationExecute<C>>>;

/**
 * The body of every action node's execute(): pick the handler, build ONE channel for the whole
 * execution (one token fetch for all items), run the items with bounded concurrency.
 */
export async function routeItems<C>(
	ctx: IExecuteFunctions,
	operations: OperationMap<C>,
	createChannel: (this: IExecuteFunctions) => Promise<C>,
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
	return await runItems(ctx, (itemIndex) => handler.call(ctx, channel, itemIndex));
}
