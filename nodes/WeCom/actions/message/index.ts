import type { INodeProperties } from 'n8n-workflow';
import * as recall from './recall';
import * as send from './send';
import * as sendAndWait from './sendAndWait';

export { recall, send, sendAndWait };

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
			{ name: 'Send and Wait for Response', value: 'sendAndWait', action: 'Send message and wait for response', description: 'Ask a question with buttons and wait for the answer' },
		],
		default: 'send',
	},
	...send.description,
	...sendAndWait.description,
	...recall.description,
];
