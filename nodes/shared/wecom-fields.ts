import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

type Show = NonNullable<IDisplayOptions['show']>;
import type { WeComNewsArticle } from '../../core/src';
import { toObject } from './fields';

/** The news articles collection shared by the WeCom app and robot nodes. */
export function articlesField(show: Show, maxArticles: number | undefined): INodeProperties {
	return {
		displayName: 'Articles',
		name: 'articles',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Article',
		default: {},
		description: `1 to ${maxArticles ?? 8} articles. Empty: one article from Title, Content and URL.`,
		displayOptions: { show },
		options: [
			{
				name: 'article',
				displayName: 'Article',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '' },
					{ displayName: 'Description', name: 'description', type: 'string', default: '' },
					{ displayName: 'URL', name: 'url', type: 'string', default: '' },
					{ displayName: 'Picture URL', name: 'picurl', type: 'string', default: '' },
				],
			},
		],
	};
}

export function readArticles(ctx: IExecuteFunctions, i: number): WeComNewsArticle[] | undefined {
	const raw = (ctx.getNodeParameter('articles', i, {}) as { article?: IDataObject[] }).article ?? [];
	if (raw.length === 0) return undefined;
	return raw.map((a) => ({
		title: String(a.title ?? ''),
		...(a.description ? { description: String(a.description) } : {}),
		...(a.url ? { url: String(a.url) } : {}),
		...(a.picurl ? { picurl: String(a.picurl) } : {}),
	})) as WeComNewsArticle[];
}

export function templateCardField(show: Show, help: string): INodeProperties {
	return {
		displayName: 'Template Card (JSON)',
		name: 'templateCard',
		type: 'json',
		default: '{\n  "card_type": "text_notice",\n  "main_title": { "title": "Title" },\n  "card_action": { "type": 1, "url": "https://example.com" }\n}',
		required: true,
		description: help,
		displayOptions: { show },
	};
}

export function readTemplateCard(ctx: IExecuteFunctions, i: number): Record<string, unknown> | undefined {
	return toObject(ctx.getNodeParameter('templateCard', i, ''));
}

export const binaryPropertyField = (show: Show, description: string): INodeProperties => ({
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	description,
	displayOptions: { show },
});
