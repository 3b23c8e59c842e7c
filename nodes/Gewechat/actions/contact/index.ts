import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { GewechatChannel } from '../../../../core/src';

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [{ name: 'Get Many', value: 'getAll', action: 'Get many contacts', description: 'Friends, groups and official accounts' }],
		default: 'getAll',
	},
	{
		displayName: 'Use Server Cache',
		name: 'cached',
		type: 'boolean',
		default: true,
		description: 'Whether to use the server\'s 10-minute contact cache (fast) instead of a full, slow fetch',
		displayOptions: { show: { resource: ['contact'], operation: ['getAll'] } },
	},
];

export async function getAll(this: IExecuteFunctions, channel: GewechatChannel, i: number): Promise<IDataObject> {
	const cached = this.getNodeParameter('cached', i, true) as boolean;
	const contacts = await channel.fetchContacts({ cached });
	return { friends: contacts.friends, chatrooms: contacts.chatrooms, ghs: contacts.ghs };
}
