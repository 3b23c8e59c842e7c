import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as actions from './actions';
import { juheChannel } from './transport/channel';

export class JuheWeCom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JuHe WeCom',
		name: 'juheWeCom',
		icon: { light: 'file:../../icons/juhe.svg', dark: 'file:../../icons/juhe.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send WeCom messages as a logged-in account through the JuHe WeCom hook',
		defaults: { name: 'JuHe WeCom' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'juheWeComApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Client', value: 'client' },
					{ name: 'Message', value: 'message' },
					{ name: 'Session', value: 'session' },
				],
				default: 'message',
			},
			...actions.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(
			this,
			{
				client: { getAll: actions.clientGetAll, getStatus: actions.clientGetStatus },
				session: { getAll: actions.sessionGetAll },
				message: { sendText: actions.sendText },
			},
			juheChannel,
		);
	}
}
