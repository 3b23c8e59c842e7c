import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as send from './actions/message/send';
import { weComRobotChannel } from './transport/channel';

export class WeComRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom Robot',
		name: 'weComRobot',
		icon: { light: 'file:../../icons/wecom-robot.svg', dark: 'file:../../icons/wecom-robot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["messageType"]}}',
		description: 'Post to a WeCom group chat through its robot webhook',
		defaults: { name: 'WeCom Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComRobotApi', required: true }],
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
				options: [{ name: 'Send', value: 'send', action: 'Send a group message', description: 'Post a message to the robot\'s group' }],
				default: 'send',
			},
			...send.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(this, { message: { send: send.execute } }, weComRobotChannel, { channel: 'wecom-bot', send: send.sendAlert });
	}
}
