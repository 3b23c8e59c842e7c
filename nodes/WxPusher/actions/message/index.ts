import type { INodeProperties } from 'n8n-workflow';
import * as queryStatus from './queryStatus';
import * as send from './send';

export { queryStatus, send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Send', value: 'send', action: 'Send a message', description: 'Push a message to followers, topics or SPTs' },
			{ name: 'Query Status', value: 'queryStatus', action: 'Query the status of a sent message', description: 'Delivery status of one target' },
		],
		default: 'send',
	},
	...send.description,
	...queryStatus.description,
];
