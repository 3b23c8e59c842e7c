import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { GatewayChannel, GatewayNotification } from '../../../../core/src';
import { asJson, toList } from '../../../shared/fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Route',
		name: 'route',
		type: 'options',
		options: [
			{ name: 'Config Code', value: 'code', description: 'POST /api/notify/{code}: recipients come from the gateway configuration of the code' },
			{ name: 'WeChat IDs', value: 'wxid', description: 'POST /api/notify for each given wxid' },
		],
		default: 'code',
	},
	{
		displayName: 'Wxids',
		name: 'wxids',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wxid_abc, wxid_def',
		description: 'Comma-separated; one request per wxid',
		displayOptions: { show: { route: ['wxid'] } },
	},
	{ displayName: 'Title', name: 'title', type: 'string', default: '' },
	{ displayName: 'Content', name: 'content', type: 'string', typeOptions: { rows: 4 }, default: '', required: true },
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Markdown', value: 'markdown' },
		],
		default: 'text',
	},
	{ displayName: 'URL', name: 'url', type: 'string', default: '', description: 'Appended to the content' },
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

export async function execute(this: IExecuteFunctions, channel: GatewayChannel, i: number): Promise<IDataObject> {
	const route = this.getNodeParameter('route', i, 'code') as string;
	const notification: GatewayNotification = {
		title: (this.getNodeParameter('title', i, '') as string) || undefined,
		content: this.getNodeParameter('content', i) as string,
		format: this.getNodeParameter('format', i, 'text') as GatewayNotification['format'],
		url: (this.getNodeParameter('url', i, '') as string) || undefined,
		to: route === 'wxid' ? { wxid: toList(this.getNodeParameter('wxids', i)) } : undefined,
	};
	return asJson(await channel.send(notification));
}
