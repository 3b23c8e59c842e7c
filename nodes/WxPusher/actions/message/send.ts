import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WxPusherChannel, WxPusherNotification } from '../../../../core/src';
import { asJson, limitText, toList } from '../../../shared/fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: limitText('wxpusher', 'contentMaxChars', (n) => `Up to ${n} characters per message; longer content is sent in parts`),
	},
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Markdown', value: 'markdown' },
			{ name: 'HTML', value: 'html' },
		],
		default: 'text',
	},
	{
		displayName: 'UIDs',
		name: 'uids',
		type: 'string',
		default: '',
		placeholder: 'UID_xxx, UID_yyy',
		description: limitText('wxpusher', 'uidsPerCall', (n) => `Followers of the app, comma-separated (batched by ${n} per call)`),
	},
	{
		displayName: 'Topic IDs',
		name: 'topicIds',
		type: 'string',
		default: '',
		placeholder: '123, 456',
		description: limitText('wxpusher', 'topicIdsPerCall', (n) => `Topics of the app, comma-separated (batched by ${n} per call)`),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Summary',
				name: 'summary',
				type: 'string',
				default: '',
				description: limitText('wxpusher', 'summaryMaxChars', (n) => `Shown in the notification; up to ${n} characters (longer is cut)`),
			},
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				default: '',
				description: limitText('wxpusher', 'urlMaxChars', (n) => `Link opened from the message; up to ${n} characters`),
			},
			{
				displayName: 'SPTs',
				name: 'spts',
				type: 'string',
				default: '',
				placeholder: 'SPT_xxx',
				description: limitText('wxpusher', 'sptsPerCall', (n) => `Simple-push tokens, comma-separated (batched by ${n}); default: the credential's SPT`),
			},
			{
				displayName: 'Paid Subscribers Filter',
				name: 'verifyPayType',
				type: 'options',
				options: [
					{ name: 'Everyone', value: 0 },
					{ name: 'Only Paid Subscribers', value: 1 },
					{ name: 'Only Unpaid or Expired', value: 2 },
				],
				default: 0,
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

export async function execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const uids = toList(this.getNodeParameter('uids', i, ''));
	const topicIds = toList(this.getNodeParameter('topicIds', i, ''));
	const spts = toList(extra.spts);
	const to = uids.length || topicIds.length || spts.length ? { uids, topicIds, spts } : undefined;
	const notification: WxPusherNotification = {
		content: this.getNodeParameter('content', i) as string,
		format: this.getNodeParameter('format', i, 'text') as WxPusherNotification['format'],
		summary: (extra.summary as string) || undefined,
		url: (extra.url as string) || undefined,
		to,
		options: extra.verifyPayType ? { verifyPayType: extra.verifyPayType as 0 | 1 | 2 } : undefined,
	};
	return asJson(await channel.send(notification));
}
