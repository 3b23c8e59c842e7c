import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WxPusherChannel, WxPusherNotification } from '../../../../core/src';
import { alertFields, inputModeField, messageFieldsOnly, type AlertMessage } from '../../../shared/alert-input';
import { asJson, limitText, toList } from '../../../shared/fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Send With',
		name: 'pushType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'App Token (UIDs and Topics)', value: 'appToken', description: 'For a credential with an App Token (AT_...)' },
			{ name: 'Simple Push Token (SPT)', value: 'spt', description: 'For a credential with an SPT (SPT_...)' },
		],
		default: 'appToken',
		description: "Match the credential's Authentication: it decides which targets WxPusher accepts",
		displayOptions: { show: { '@version': [1.1] } },
	},
	{
		displayName: 'UIDs',
		name: 'uids',
		type: 'string',
		default: '',
		placeholder: 'UID_xxx, UID_yyy',
		description: limitText('wxpusher', 'uidsPerCall', (n) => `Followers of the app, comma-separated (batched by ${n} per call)`),
		displayOptions: { show: { '@version': [1.1], pushType: ['appToken'] } },
	},
	{
		displayName: 'Topic IDs',
		name: 'topicIds',
		type: 'string',
		default: '',
		placeholder: '123, 456',
		description: limitText('wxpusher', 'topicIdsPerCall', (n) => `Topics of the app, comma-separated (batched by ${n} per call)`),
		displayOptions: { show: { '@version': [1.1], pushType: ['appToken'] } },
	},
	{
		displayName: 'SPTs',
		name: 'spts',
		type: 'string',
		default: '',
		placeholder: 'SPT_xxx, SPT_yyy',
		description: limitText('wxpusher', 'sptsPerCall', (n) => `Simple-push tokens, comma-separated (batched by ${n}). Empty: the credential's own SPT.`),
		displayOptions: { show: { '@version': [1.1], pushType: ['spt'] } },
	},
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
		displayOptions: { show: { '@version': [1] } },
		placeholder: 'UID_xxx, UID_yyy',
		description: limitText('wxpusher', 'uidsPerCall', (n) => `Followers of the app, comma-separated (batched by ${n} per call)`),
	},
	{
		displayName: 'Topic IDs',
		name: 'topicIds',
		type: 'string',
		default: '',
		displayOptions: { show: { '@version': [1] } },
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
				displayOptions: { show: { '@version': [1] } },
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

/** Who receives it: shown in both input modes. */
const TARGETS = new Set(['pushType', 'uids', 'topicIds', 'spts']);

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, [
	inputModeField,
	...properties.filter((p) => TARGETS.has(p.name)),
	...messageFieldsOnly(properties.filter((p) => !TARGETS.has(p.name))),
	...alertFields,
]);

function targets(ctx: IExecuteFunctions, i: number, extra: IDataObject): WxPusherNotification['to'] {
	const uids = toList(ctx.getNodeParameter('uids', i, ''));
	const topicIds = toList(ctx.getNodeParameter('topicIds', i, ''));
	const spts = [...toList(extra.spts), ...toList(ctx.getNodeParameter('spts', i, ''))];
	return uids.length || topicIds.length || spts.length ? { uids, topicIds, spts } : undefined;
}

/** "Alert payload" mode: the core's WxPusher template (markdown, the heading as summary), to the first item's targets. */
export async function sendAlert(this: IExecuteFunctions, channel: WxPusherChannel, message: AlertMessage): Promise<IDataObject> {
	const first = message.items[0];
	await checkSendWith(this, first);
	const notification = message.notification as unknown as WxPusherNotification;
	return asJson(await channel.send({ ...notification, to: targets(this, first, this.getNodeParameter('additionalFields', first, {}) as IDataObject) }));
}

const AUTH_NAMES = { appToken: 'an App Token', spt: 'a Simple Push Token (SPT)' } as const;

/** Version 1.1 shows targets by "Send With"; a credential of the other kind could never reach them. */
async function checkSendWith(ctx: IExecuteFunctions, i: number): Promise<void> {
	if (ctx.getNode().typeVersion < 1.1) return;
	const sendWith = ctx.getNodeParameter('pushType', i, 'appToken') as keyof typeof AUTH_NAMES;
	const credentialAuth = (await ctx.getCredentials('wxPusherApi')).authType === 'spt' ? 'spt' : 'appToken';
	if (sendWith === credentialAuth) return;
	throw new NodeOperationError(ctx.getNode(), `Send With is ${AUTH_NAMES[sendWith]}, but the credential authenticates with ${AUTH_NAMES[credentialAuth]}`, {
		itemIndex: i,
		description: 'Change Send With, or choose a WxPusher credential with the other Authentication.',
	});
}

export async function execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
	await checkSendWith(this, i);
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const to = targets(this, i, extra);
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
