import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { GewechatChannel, GewechatMessageType, GewechatNotification } from '../../../../core/src';
import { asJson, limitText, toList } from '../../../shared/fields';

const show = (operation: string[]) => ({ show: { resource: ['message'], operation } });

const recipient: INodeProperties = {
	displayName: 'To (Wxid)',
	name: 'to',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'wxid_abc123 or 12345678@chatroom',
	description: limitText(
		'gewechat',
		'messagesPerWindow',
		(n) => `A friend wxid or a group ID; several comma-separated. Sends are paced at ${n} per minute per account.`,
		'A friend wxid or a group ID; several comma-separated',
	),
};

const properties: INodeProperties[] = [
	{ ...recipient, displayOptions: show(['sendText', 'sendImage', 'sendFile', 'sendLink']) },
	{
		displayName: 'Text',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'For @mentions the text must contain "@Name" of each mentioned member',
		displayOptions: show(['sendText']),
	},
	{
		displayName: 'Mention Wxids',
		name: 'ats',
		type: 'string',
		default: '',
		description: 'Group chats only: wxids to @-mention, comma-separated',
		displayOptions: show(['sendText']),
	},
	{
		displayName: 'Mention Everyone',
		name: 'atAll',
		type: 'boolean',
		default: false,
		description: 'Whether to @-mention everyone (group owner or admin accounts only)',
		displayOptions: show(['sendText']),
	},
	{
		displayName: 'Image URL',
		name: 'imgUrl',
		type: 'string',
		default: '',
		required: true,
		description: 'The gewechat server downloads the picture from this URL',
		displayOptions: show(['sendImage']),
	},
	{
		displayName: 'File URL',
		name: 'fileUrl',
		type: 'string',
		default: '',
		required: true,
		description: 'The gewechat server downloads the file from this URL',
		displayOptions: show(['sendFile']),
	},
	{ displayName: 'File Name', name: 'fileName', type: 'string', default: '', required: true, displayOptions: show(['sendFile']) },
	{ displayName: 'Title', name: 'title', type: 'string', default: '', required: true, displayOptions: show(['sendLink']) },
	{ displayName: 'Link URL', name: 'linkUrl', type: 'string', default: '', required: true, displayOptions: show(['sendLink']) },
	{ displayName: 'Description', name: 'desc', type: 'string', default: '', displayOptions: show(['sendLink']) },
	{ displayName: 'Thumbnail URL', name: 'thumbUrl', type: 'string', default: '', displayOptions: show(['sendLink']) },
];

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Send File', value: 'sendFile', action: 'Send a file', description: 'Send a file by URL' },
			{ name: 'Send Image', value: 'sendImage', action: 'Send an image', description: 'Send a picture by URL' },
			{ name: 'Send Link', value: 'sendLink', action: 'Send a link card', description: 'Send a link card' },
			{ name: 'Send Text', value: 'sendText', action: 'Send a text message', description: 'Send text, with optional @mentions in groups' },
		],
		default: 'sendText',
	},
	...updateDisplayOptions({ show: { resource: ['message'] } }, properties),
];

const param = (ctx: IExecuteFunctions, name: string, i: number) => (ctx.getNodeParameter(name, i, '') as string) || undefined;

function notificationFor(ctx: IExecuteFunctions, type: GewechatMessageType, i: number): GewechatNotification {
	const to = toList(ctx.getNodeParameter('to', i));
	switch (type) {
		case 'text':
			return {
				type,
				to,
				content: ctx.getNodeParameter('content', i) as string,
				options: { ats: toList(ctx.getNodeParameter('ats', i, '')), atAll: ctx.getNodeParameter('atAll', i, false) as boolean },
			};
		case 'image':
			return { type, to, content: '', options: { imgUrl: param(ctx, 'imgUrl', i) } };
		case 'file':
			return { type, to, content: '', options: { fileUrl: param(ctx, 'fileUrl', i), fileName: param(ctx, 'fileName', i) } };
		case 'link':
			return {
				type,
				to,
				title: param(ctx, 'title', i),
				content: '',
				options: { linkUrl: param(ctx, 'linkUrl', i), desc: param(ctx, 'desc', i), thumbUrl: param(ctx, 'thumbUrl', i) },
			};
	}
}

const sender = (type: GewechatMessageType) =>
	async function (this: IExecuteFunctions, channel: GewechatChannel, i: number): Promise<IDataObject> {
		return asJson(await channel.send(notificationFor(this, type, i)));
	};

export const sendText = sender('text');
export const sendImage = sender('image');
export const sendFile = sender('file');
export const sendLink = sender('link');
