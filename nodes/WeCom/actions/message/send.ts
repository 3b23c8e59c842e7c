import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WeComAppChannel, WeComAppMessageType, WeComAppNotification, WeComAppOptions } from '../../../../core/src';
import { alertFields, inputModeField, messageFieldsOnly, type AlertMessage } from '../../../shared/alert-input';
import { mediaFromBinary } from '../../../shared/binary';
import { asJson, limitOf, limitText } from '../../../shared/fields';
import { readRecipients, recipientFields } from './recipients';
import { articlesField, binaryPropertyField, readArticles, readTemplateCard, templateCardField } from '../../../shared/wecom-fields';

const type = (...types: WeComAppMessageType[]) => ({ messageType: types });

const properties: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'File', value: 'file', description: 'A file from binary data' },
			{ name: 'Image', value: 'image', description: 'An image from binary data' },
			{ name: 'Markdown', value: 'markdown', description: 'WeCom markdown (not shown in the WeChat plugin)' },
			{ name: 'News', value: 'news', description: 'Up to 8 article cards' },
			{ name: 'Rich Article (Mpnews)', value: 'mpnews', description: 'An HTML article kept by WeCom, for long reports sent in one piece' },
			{ name: 'Template Card', value: 'template_card' },
			{ name: 'Text', value: 'text' },
			{ name: 'Text Card', value: 'textcard', description: 'Title, description and a link button' },
			{ name: 'Video', value: 'video', description: 'An MP4 video from binary data' },
			{ name: 'Voice', value: 'voice', description: 'An AMR voice clip from binary data' },
		],
		default: 'text',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'e.g. Disk almost full',
		description: 'Becomes the first line (text, markdown) or the default article title (news)',
		displayOptions: { show: type('text', 'markdown', 'news') },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Disk almost full',
		description: limitText('wecom-app', 'textcardTitleChars', (n) => `Text card title, up to ${n} characters`),
		displayOptions: { show: type('textcard') },
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. db-01 disk at 91%',
		description: limitText('wecom-app', 'textBytes', (n) => `Up to ${n} UTF-8 bytes per message; longer content is sent in numbered parts`),
		displayOptions: { show: type('text', 'markdown', 'textcard', 'news') },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/incidents/42',
		description: 'Opened when the card is tapped',
		displayOptions: { show: type('textcard') },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/incidents/42',
		description: 'Link of the default news article',
		displayOptions: { show: type('news') },
	},
	{
		displayName: 'Button Text',
		name: 'btntxt',
		type: 'string',
		default: '',
		placeholder: 'e.g. 详情',
		description: limitText('wecom-app', 'textcardButtonChars', (n) => `Up to ${n} characters (default 详情)`),
		displayOptions: { show: type('textcard') },
	},
	articlesField(type('news'), limitOf('wecom-app', 'newsArticlesMax')),
	binaryPropertyField(
		type('image', 'file', 'voice', 'video'),
		limitText(
			'wecom-app',
			'fileBytes',
			(n) =>
				`Binary field holding the file, uploaded first (images up to ${limitOf('wecom-app', 'imageBytes')} bytes, files up to ${n}, AMR voice up to ${limitOf('wecom-app', 'voiceBytes')}, MP4 video up to ${limitOf('wecom-app', 'videoBytes')})`,
		),
	),
	{
		displayName: 'Video Title',
		name: 'videoTitle',
		type: 'string',
		default: '',
		description: limitText('wecom-app', 'videoTitleBytes', (n) => `Up to ${n} UTF-8 bytes (longer titles are cut with …)`),
		displayOptions: { show: type('video') },
	},
	{
		displayName: 'Video Description',
		name: 'videoDescription',
		type: 'string',
		default: '',
		description: limitText('wecom-app', 'videoDescriptionBytes', (n) => `Up to ${n} UTF-8 bytes (longer text is cut with …)`),
		displayOptions: { show: type('video') },
	},
	{
		displayName: 'Article Title',
		name: 'articleTitle',
		type: 'string',
		default: '',
		required: true,
		description: limitText('wecom-app', 'newsTitleBytes', (n) => `Up to ${n} UTF-8 bytes`),
		displayOptions: { show: type('mpnews') },
	},
	{
		displayName: 'Article HTML',
		name: 'articleContent',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		required: true,
		description: limitText('wecom-app', 'mpnewsContentBytes', (n) => `The article body as HTML, up to ${n} bytes; it is never split`),
		displayOptions: { show: type('mpnews') },
	},
	{
		displayName: 'Cover Image Binary Field',
		name: 'coverBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Binary field holding the cover image (JPG or PNG); it is uploaded first',
		displayOptions: { show: type('mpnews') },
	},
	{
		displayName: 'Article Details',
		name: 'articleDetails',
		type: 'collection',
		placeholder: 'Add Detail',
		default: {},
		displayOptions: { show: type('mpnews') },
		options: [
			{ displayName: 'Author', name: 'author', type: 'string', default: '', description: limitText('wecom-app', 'mpnewsAuthorBytes', (n) => `Up to ${n} UTF-8 bytes`) },
			{ displayName: 'Source URL', name: 'url', type: 'string', default: '', description: 'Link shown as "read the original" under the article' },
			{ displayName: 'Summary', name: 'summary', type: 'string', default: '', description: limitText('wecom-app', 'mpnewsDigestBytes', (n) => `Shown in the message preview, up to ${n} UTF-8 bytes`) },
		],
	},
	templateCardField(type('template_card'), 'The card object as WeCom documents it (card_type, main_title, card_action, ...)'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Duplicate Check Window (Seconds)',
				name: 'duplicateCheck',
				type: 'number',
				default: 300,
				description: limitText(
					'wecom-app',
					'duplicateCheckMaxSeconds',
					(n) =>
						`WeCom's duplicate check: an identical message to the same recipients within this many seconds is delivered once; WeCom drops the repeat while the answer still says ok. 0 turns the check off, so every repeat is delivered (up to ${n}).`,
				),
			},
			{
				displayName: 'Markdown Fallback',
				name: 'markdownFallback',
				type: 'options',
				options: [
					{ name: 'None', value: 'none' },
					{ name: 'Text', value: 'text' },
					{ name: 'Text Card', value: 'textcard' },
				],
				default: 'none',
				description: 'How markdown is sent for readers on WeChat, which cannot show WeCom markdown',
				displayOptions: { show: { '/messageType': ['markdown'] } },
			},
			{ displayName: 'Safe (No Sharing)', name: 'safe', type: 'boolean', default: false, description: 'Whether to forbid sharing and add a watermark' },
		],
	},
];

const [messageTypeField, ...contentFields] = properties;
const isOptions = (p: INodeProperties) => p.name === 'options';

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, [
	inputModeField,
	...messageFieldsOnly([messageTypeField]),
	...recipientFields,
	...messageFieldsOnly(contentFields.filter((p) => !isOptions(p))),
	...alertFields,
	...contentFields.filter(isOptions),
]);

/** "Alert payload" mode: the core's WeCom app template (a text card with a link, else markdown), to the first item's recipients. */
export async function sendAlert(this: IExecuteFunctions, channel: WeComAppChannel, message: AlertMessage): Promise<IDataObject> {
	const first = message.items[0];
	const notification = message.notification as unknown as WeComAppNotification;
	return asJson(await channel.send({ ...notification, to: readRecipients(this, first), options: { ...notification.options, ...sendOptions(this, first) } }));
}

/** The Options collection (duplicate check, markdown fallback, safe). */
function sendOptions(ctx: IExecuteFunctions, i: number): WeComAppOptions {
	const extra = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const options: WeComAppOptions = {};
	if (extra.duplicateCheck !== undefined) options.duplicateCheck = Number(extra.duplicateCheck) === 0 ? false : Number(extra.duplicateCheck);
	if (extra.markdownFallback) options.markdownFallback = extra.markdownFallback as WeComAppOptions['markdownFallback'];
	if (extra.safe) options.safe = 1;
	return options;
}

/** Title, content, format, URL and summary as each message type takes them from its own fields. */
function messageContent(ctx: IExecuteFunctions, i: number, messageType: WeComAppMessageType, options: WeComAppOptions): Pick<WeComAppNotification, 'title' | 'content' | 'format' | 'url' | 'summary'> {
	const text = (name: string) => (ctx.getNodeParameter(name, i, '') as string) || undefined;
	if (messageType === 'video') return { title: text('videoTitle'), content: text('videoDescription') ?? '', format: 'text' };
	if (messageType === 'mpnews') {
		const details = ctx.getNodeParameter('articleDetails', i, {}) as IDataObject;
		if (details.author) options.author = String(details.author);
		return {
			title: text('articleTitle'),
			content: ctx.getNodeParameter('articleContent', i) as string,
			format: 'html',
			url: details.url ? String(details.url) : undefined,
			summary: details.summary ? String(details.summary) : undefined,
		};
	}
	const textual = ['text', 'markdown', 'textcard', 'news'].includes(messageType);
	return {
		format: messageType === 'markdown' ? 'markdown' : 'text',
		title: textual ? text('title') : undefined,
		content: textual ? (ctx.getNodeParameter('content', i) as string) : '',
		url: ['textcard', 'news'].includes(messageType) ? text('url') : undefined,
	};
}

export async function execute(this: IExecuteFunctions, channel: WeComAppChannel, i: number): Promise<IDataObject> {
	const messageType = this.getNodeParameter('messageType', i) as WeComAppMessageType;
	const options = sendOptions(this, i);
	if (messageType === 'textcard') options.btntxt = (this.getNodeParameter('btntxt', i, '') as string) || undefined;
	if (messageType === 'news') options.articles = readArticles(this, i);
	if (['image', 'file', 'voice', 'video'].includes(messageType)) options.media = await mediaFromBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string);
	if (messageType === 'template_card') options.templateCard = readTemplateCard(this, i);
	const content = messageContent(this, i, messageType, options);
	if (messageType === 'mpnews') options.thumb = await mediaFromBinary(this, i, this.getNodeParameter('coverBinaryPropertyName', i) as string);
	const notification: WeComAppNotification = {
		type: messageType,
		...content,
		to: readRecipients(this, i),
		options,
	};
	return asJson(await channel.send(notification));
}
