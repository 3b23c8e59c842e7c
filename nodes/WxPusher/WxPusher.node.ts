import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as follower from './actions/follower';
import * as message from './actions/message';
import * as qrCode from './actions/qrCode';
import { wxPusherChannel } from './transport/channel';

export class WxPusher implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WxPusher',
		name: 'wxPusher',
		icon: { light: 'file:../../icons/wxpusher.svg', dark: 'file:../../icons/wxpusher.dark.svg' },
		group: ['output'],
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Push messages to WeChat users through WxPusher',
		defaults: { name: 'WxPusher' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'wxPusherApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Follower', value: 'follower' },
					{ name: 'Message', value: 'message' },
					{ name: 'QR Code', value: 'qrCode' },
				],
				default: 'message',
			},
			...message.description,
			...qrCode.description,
			...follower.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(
			this,
			{
				message: { send: message.send.execute, queryStatus: message.queryStatus.execute },
				qrCode: { create: qrCode.create.execute, getScannedUid: qrCode.getScannedUid.execute },
				follower: {
					list: follower.list.execute,
					remove: follower.remove.execute,
					block: follower.block.execute,
					unblock: follower.unblock.execute,
				},
			},
			wxPusherChannel,
			{ channel: 'wxpusher', send: message.send.sendAlert },
		);
	}
}
