import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { GewechatChannel } from '../../../../core/src';

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [{ name: 'Check Online', value: 'checkOnline', action: 'Check whether the account is online', description: 'Whether the WeChat account is logged in' }],
		default: 'checkOnline',
	},
];

export async function checkOnline(this: IExecuteFunctions, channel: GewechatChannel): Promise<IDataObject> {
	return { online: await channel.isOnline() };
}
