import type { INodeProperties } from 'n8n-workflow';
import * as recall from './recall';
import * as send from './send';

export { recall, send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Recall', value: 'recall', action: 'Recall a message', description: 'Recall a message sent in the last 24 hours' },
			{ name: 'Send', value: 'send', action: 'Send a message', description: 'Send an app message to members, departments or tags' },
		],
		default: 'send',
	},
	...send.description,
	...recall.description,
];
