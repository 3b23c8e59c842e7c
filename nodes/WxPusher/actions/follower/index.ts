import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WxPusherChannel } from '../../../../core/src';
import { asJson, limitOf } from '../../../shared/fields';

const pageSizeMax = limitOf('wxpusher', 'userPageSizeMax') ?? 100;

const listProperties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'UID', name: 'uid', type: 'string', default: '' },
			{ displayName: 'Blocked Only', name: 'isBlock', type: 'boolean', default: false, description: 'Whether to list only blocked followers' },
			{
				displayName: 'Follow Type',
				name: 'type',
				type: 'options',
				options: [
					{ name: 'App', value: 0 },
					{ name: 'Topic', value: 1 },
				],
				default: 0,
			},
		],
	},
];

const idProperties = (operation: string): INodeProperties[] => [
	{
		displayName: 'Follower ID',
		name: 'followerId',
		type: 'string',
		default: '',
		required: true,
		description: 'The ID from List (the "ID" field, not the UID)',
		displayOptions: { show: { resource: ['follower'], operation: [operation] } },
	},
];

export const list = {
	description: updateDisplayOptions({ show: { resource: ['follower'], operation: ['list'] } }, listProperties),
	async execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject[]> {
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i, 50) as number);
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		const out: IDataObject[] = [];
		for (let page = 1; out.length < limit; page++) {
			const result = await channel.listUsers({
				page,
				pageSize: Math.min(pageSizeMax, limit - out.length),
				uid: (filters.uid as string) || undefined,
				isBlock: filters.isBlock === true ? true : undefined,
				type: filters.type as 0 | 1 | undefined,
			});
			out.push(...result.records.map(asJson));
			if (result.records.length === 0 || page * result.pageSize >= result.total) break;
		}
		return out.slice(0, limit);
	},
};

const followerAction = (operation: 'remove' | 'block' | 'unblock') => ({
	description: idProperties(operation),
	async execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
		const id = this.getNodeParameter('followerId', i) as string;
		if (operation === 'remove') await channel.removeFollower(id);
		else if (operation === 'block') await channel.blockFollower(id);
		else await channel.unblockFollower(id);
		return { id, operation, ok: true };
	},
});

export const remove = followerAction('remove');
export const block = followerAction('block');
export const unblock = followerAction('unblock');

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['follower'] } },
		options: [
			{ name: 'Block', value: 'block', action: 'Block a follower', description: 'Stop pushing to a follower' },
			{ name: 'List', value: 'list', action: 'List followers', description: 'Followers of the app or its topics' },
			{ name: 'Remove', value: 'remove', action: 'Remove a follower', description: 'Remove a follower from the app' },
			{ name: 'Unblock', value: 'unblock', action: 'Unblock a follower', description: 'Resume pushing to a follower' },
		],
		default: 'list',
	},
	...list.description,
	...remove.description,
	...block.description,
	...unblock.description,
];
