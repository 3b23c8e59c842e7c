import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WeComBotChannel, WeComBotMessageType, WeComBotNotification, WeComBotOptions } from '../../../../core/src';
import { alertFields, inputModeField, messageFieldsOnly, type AlertMessage } from '../../../shared/alert-input';
import { mediaFromBinary } from '../../../shared/binary';
import { asJson, limitOf, limitText, toList } from '../../../shared/fields';
import { articlesField, binaryPropertyField, readArticles, readTemplateCard, templateCardField } from '../../../shared/wecom-fields';

const type = (...types: WeComBotMessageType[]) => ({ messageType: types });

const properties: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'File', value: 'file', description: 'A file from binary data (uploaded with the robot key first)' },
			{ name: 'Image', value: 'image', description: 'A JPG or PNG from binary data' },
			{ name: 'Markdown', value: 'markdown', description: 'Classic markdown with font colours and &lt;@userid&gt; mentions' },
			{ name: 'Markdown V2', value: 'markdown_v2', description: 'Tables, lists, code blocks; no colours, no mentions' },
			{ name: 'News', value: 'news' },
			{ name: 'Template Card', value: 'template_card' },
			{ name: 'Text', value: 'text' },
		],
		default: 'text',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'Becomes the first line (text, markdown) or the default news article title',
		displayOptions: { show: type('text', 'markdown', 'markdown_v2', 'news') },
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: limitText(
			'wecom-bot',
			'textBytes',
			(n) => `Text up to ${n} UTF-8 bytes, markdown up to ${limitOf('wecom-bot', 'markdownBytes')}; longer content is sent in numbered parts (paced at ${limitOf('wecom-bot', 'messagesPerMinute')} messages per minute per robot)`,
		),
		displayOptions: { show: type('text', 'markdown', 'markdown_v2', 'news') },
	},
	{
		displayName: 'Mention User IDs',
		name: 'mentionedList',
		type: 'string',
		default: '',
		placeholder: 'zhangsan, @all',
		description: 'Text only: user IDs to @-mention, comma-separated (@all for everyone)',
		displayOptions: { show: type('text') },
	},
	{
		displayName: 'Mention Mobile Numbers',
		name: 'mentionedMobileList',
		type: 'string',
		default: '',
		description: 'Text only: mobile numbers to @-mention, comma-separated',
		displayOptions: { show: type('text') },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		description: 'Link of the default news article',
		displayOptions: { show: type('news') },
	},
	articlesField(type('news'), limitOf('wecom-bot', 'newsArticlesMax')),
	binaryPropertyField(
		type('image', 'file'),
		limitText('wecom-bot', 'imageBytes', (n) => `Binary field holding the image (up to ${n} bytes) or the file (up to ${limitOf('wecom-bot', 'fileBytes')} bytes)`),
	),
	templateCardField(type('template_card'), 'A text_notice or news_notice card as WeCom documents it'),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, [
	inputModeField,
	...messageFieldsOnly(properties),
	...alertFields,
]);

/** "Alert payload" mode: the core's robot template (markdown with severity colours, mentions on text). */
export async function sendAlert(this: IExecuteFunctions, channel: WeComBotChannel, message: AlertMessage): Promise<IDataObject> {
	return asJson(await channel.send(message.notification as unknown as WeComBotNotification));
}

export async function execute(this: IExecuteFunctions, channel: WeComBotChannel, i: number): Promise<IDataObject> {
	const messageType = this.getNodeParameter('messageType', i) as WeComBotMessageType;
	const textual = ['text', 'markdown', 'markdown_v2', 'news'].includes(messageType);
	const options: WeComBotOptions = {};
	if (messageType === 'text') {
		options.mentionedList = toList(this.getNodeParameter('mentionedList', i, ''));
		options.mentionedMobileList = toList(this.getNodeParameter('mentionedMobileList', i, ''));
	}
	if (messageType === 'news') options.articles = readArticles(this, i);
	if (messageType === 'image') options.image = (await mediaFromBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string)).data;
	if (messageType === 'file') options.media = await mediaFromBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string);
	if (messageType === 'template_card') options.templateCard = readTemplateCard(this, i);
	const notification: WeComBotNotification = {
		type: messageType,
		format: messageType.startsWith('markdown') ? 'markdown' : 'text',
		title: textual ? (this.getNodeParameter('title', i, '') as string) || undefined : undefined,
		content: textual ? (this.getNodeParameter('content', i) as string) : '',
		url: messageType === 'news' ? (this.getNodeParameter('url', i, '') as string) || undefined : undefined,
		options,
	};
	return asJson(await channel.send(notification));
}
