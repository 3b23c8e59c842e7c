import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { routeItems } from '../shared/router';
import * as media from './actions/media';
import * as message from './actions/message';
import { searchDepartments, searchUsers } from './methods/listSearch';
import { getDepartments, getUsers } from './methods/loadOptions';
import { weComChannel } from './transport/channel';

export class WeCom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom',
		name: 'weCom',
		icon: { light: 'file:../../icons/wecom.svg', dark: 'file:../../icons/wecom.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send WeCom (WeChat Work) app messages to members, departments and tags',
		defaults: { name: 'WeCom' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComAppApi', required: true }],
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

	methods = { loadOptions: { getDepartments, getUsers }, listSearch: { searchDepartments, searchUsers } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems(
			this,
			{ message: { send: message.send.execute, recall: message.recall.execute }, media: { upload: media.upload.execute } },
			weComChannel,
		);
	}
}
