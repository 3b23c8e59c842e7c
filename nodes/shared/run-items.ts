import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { mapSettled } from '../../core/src';
import { errorItemJson, toNodeError } from './node-errors';

/** Items in flight at once; the core's rate limiter paces below this when the upstream needs it. */
export const ITEM_CONCURRENCY = 8;

export type ItemHandler = (itemIndex: number) => Promise<IDataObject | IDataObject[]>;

/**
 * Runs `handler` for every input item with bounded concurrency and pairs every output item with
 * its input. With "continue on fail" a failed item becomes `{error, code, hint, retryable}`;
 * otherwise the first failure (in item order) stops the node.
 */
export async function runItems(ctx: IExecuteFunctions, handler: ItemHandler): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const settled = await mapSettled(items, ITEM_CONCURRENCY, (_item, index) => handler(index));
	const continueOnFail = ctx.continueOnFail();
	const out: INodeExecutionData[] = [];
	settled.forEach((result, itemIndex) => {
		if (result.status === 'fulfilled') {
			const values = Array.isArray(result.value) ? result.value : [result.value];
			for (const json of values) out.push({ json, pairedItem: { item: itemIndex } });
			return;
		}
		if (!continueOnFail) throw toNodeError(ctx.getNode(), result.reason, itemIndex);
		out.push({ json: errorItemJson(result.reason), pairedItem: { item: itemIndex } });
	});
	return [out];
}
