import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as send from './actions/message/send';
import { gatewayChannel } from './transport/channel';

export class NotifyGateway implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Notify Gateway',
		name: 'notifyGateway',
		icon: { light: 'file:../../icons/gateway.svg', dark: 'file:../../icons/gateway.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send notifications through a wxnotify gateway (/api/notify)',
		defaults: { name: 'Notify Gateway' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'notifyGatewayApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Message', value: 'message' }],
				default: 'message',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['message'] } },
				options: [{ name: 'Send', value: 'send', action: 'Send a notification', description: 'Send through the gateway' }],
				default: 'send',
			},
			...send.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(this, { message: { send: send.execute } }, gatewayChannel);
	}
}
