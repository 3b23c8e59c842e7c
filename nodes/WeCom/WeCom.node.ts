import { NodeConnectionTypes, SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { alwaysRegistered } from '../shared/manual-webhook';
import { routeItems } from '../shared/router';
import { SEND_AND_WAIT_TOOLTIP, sendAndWaitWebhooks } from '../shared/send-and-wait/webhooks';
import * as media from './actions/media';
import * as message from './actions/message';
import { searchDepartments, searchTags, searchUsers } from './methods/listSearch';
import { getDepartments, getUsers } from './methods/loadOptions';
import { weComChannel } from './transport/channel';

export class WeCom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom',
		name: 'weCom',
		icon: { light: 'file:../../icons/wecom.svg', dark: 'file:../../icons/wecom.dark.svg' },
		group: ['output'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send WeCom (WeChat Work) app messages to members, departments and tags',
		defaults: { name: 'WeCom' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComAppApi', required: true }],
		// Send and Wait: the execution's resume URL (links, or the WeCom Trigger forwarding a card click).
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip: SEND_AND_WAIT_TOOLTIP,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Media', value: 'media' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...message.description,
			...media.description,
		],
	};

	// The send-and-wait webhooks are restart webhooks: n8n never registers them on activation.
	webhookMethods = { default: alwaysRegistered };

	methods = { loadOptions: { getDepartments, getUsers }, listSearch: { searchDepartments, searchTags, searchUsers } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await message.sendAndWait.webhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0) === SEND_AND_WAIT_OPERATION) {
			return await message.sendAndWait.execute.call(this, await weComChannel.call(this));
		}
		return await routeItems(
			this,
			{ message: { send: message.send.execute, recall: message.recall.execute }, media: { upload: media.upload.execute } },
			weComChannel,
			{ channel: 'wecom-app', send: message.send.sendAlert },
		);
	}
}
