import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as account from './actions/account';
import * as contact from './actions/contact';
import * as message from './actions/message';
import { gewechatChannel } from './transport/channel';

export class Gewechat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gewechat',
		name: 'gewechat',
		icon: { light: 'file:../../icons/gewechat.svg', dark: 'file:../../icons/gewechat.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send personal WeChat messages through a gewechat-compatible server',
		defaults: { name: 'Gewechat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'gewechatApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Contact', value: 'contact' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...message.description,
			...contact.description,
			...account.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(
			this,
			{
				message: { sendText: message.sendText, sendImage: message.sendImage, sendFile: message.sendFile, sendLink: message.sendLink },
				contact: { getAll: contact.getAll },
				account: { checkOnline: account.checkOnline },
			},
			gewechatChannel,
		);
	}
}
