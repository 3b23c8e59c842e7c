import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WeComHookChannel } from '../../../core/src';
import { asJson, limitText, toList } from '../../shared/fields';

const operation = (resource: string, options: INodeProperties['options'], defaultValue: string): INodeProperties => ({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [resource] } },
	options,
	default: defaultValue,
});

const showSend = { show: { resource: ['message'], operation: ['sendText'] } };

export const description: INodeProperties[] = [
	operation(
		'client',
		[
			{ name: 'Get Many', value: 'getAll', action: 'List client instances', description: 'GUIDs of all client instances' },
			{ name: 'Get Status', value: 'getStatus', action: 'Get the client status', description: 'Stopped, needs login or online' },
		],
		'getStatus',
	),
	operation('session', [{ name: 'Get Many', value: 'getAll', action: 'List conversations', description: 'Conversation IDs (S:user, R:room)' }], 'getAll'),
	operation('message', [{ name: 'Send Text', value: 'sendText', action: 'Send a text message', description: 'Send text to one or more conversations' }], 'sendText'),
	{
		displayName: 'Conversation IDs',
		name: 'conversationIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'S:1688852792312821, R:1970325468984112',
		description: 'S:&lt;user ID&gt; for private chats, R:&lt;room ID&gt; for groups, comma-separated. A bare numeric ID is repaired to S:&lt;ID&gt;.',
		displayOptions: showSend,
	},
	{ displayName: 'Title', name: 'title', type: 'string', default: '', description: 'Becomes the first line', displayOptions: showSend },
	{ displayName: 'Text', name: 'content', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, displayOptions: showSend },
	{
		displayName: 'Parallel Sends',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 5,
		description: limitText('wecom-hook', 'maxConcurrency', (n) => `Conversations sent to at once (1 to ${n})`, 'Conversations sent to at once'),
		displayOptions: showSend,
	},
];

export async function clientGetAll(this: IExecuteFunctions, channel: WeComHookChannel): Promise<IDataObject[]> {
	return (await channel.listClients()).map((guid) => ({ guid }));
}

export async function clientGetStatus(this: IExecuteFunctions, channel: WeComHookChannel): Promise<IDataObject> {
	return asJson(await channel.getClientStatus());
}

export async function sessionGetAll(this: IExecuteFunctions, channel: WeComHookChannel): Promise<IDataObject> {
	return asJson(await channel.listSessions());
}

/** One output item per send with a result per conversation; failed targets do not fail the item. */
export async function sendText(this: IExecuteFunctions, channel: WeComHookChannel, i: number): Promise<IDataObject> {
	const targets = toList(this.getNodeParameter('conversationIds', i));
	const result = await channel.sendBatch(
		targets,
		{ title: (this.getNodeParameter('title', i, '') as string) || undefined, content: this.getNodeParameter('content', i) as string },
		{ concurrency: this.getNodeParameter('concurrency', i, 5) as number },
	);
	return asJson(result);
}
