import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { isNotifyError, parseWxPusherCallback, verifyCallbackSecret, type WxPusherCallbackEvent } from '../../core/src';
import { alwaysRegistered } from '../shared/manual-webhook';
import { accepted, rawBodyText, rejected } from '../shared/webhook-reply';
import { toNodeError } from '../shared/node-errors';

const SECRET_HEADER = 'x-callback-secret';
const PATH_MODE = 'path';
const PATH_PARAM = 'secret';

export class WxPusherTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WxPusher Trigger',
		name: 'wxPusherTrigger',
		icon: { light: 'file:../../icons/wxpusher.svg', dark: 'file:../../icons/wxpusher.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"actions: " + ($parameter["actions"].length ? $parameter["actions"].join(", ") : "all")}}',
		description: 'Starts the workflow on WxPusher callbacks: new followers, upstream commands, payments',
		defaults: { name: 'WxPusher Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// "URL Path": a path parameter, the n8n way ({webhookId}/wxpusher/:secret); n8n only routes
				// path parameters of full-path webhooks, and still prefixes the node's webhook ID to the URL.
				path: `={{$parameter["secretLocation"] === "${PATH_MODE}" ? "wxpusher/:${PATH_PARAM}" : "wxpusher"}}`,
				// n8n and its editor evaluate this field like `path`; the type only spells out the literal form.
				isFullPath: `={{$parameter["secretLocation"] === "${PATH_MODE}"}}` as unknown as boolean,
			},
		],
		properties: [
			{
				displayName:
					'Enter the Production URL as the callback URL of your WxPusher app, with ?secret=YOUR_SECRET appended (or send the secret in the X-Callback-Secret header)',
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { hide: { secretLocation: [PATH_MODE] } },
			},
			{
				displayName:
					'Enter the Production URL as the callback URL of your WxPusher app, with :secret at its end replaced by your secret',
				name: 'pathNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { secretLocation: [PATH_MODE] } },
			},
			{
				displayName: 'Secret In',
				name: 'secretLocation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Query or Header', value: 'queryOrHeader', description: 'Query parameter "secret" or header X-Callback-Secret' },
					{ name: 'URL Path', value: PATH_MODE, description: 'Last segment of the webhook URL (…/wxpusher/YOUR_SECRET)' },
				],
				default: 'queryOrHeader',
				description: 'Where callbacks carry the secret',
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description: 'Callbacks without this secret (where Secret In says) get 403 and start nothing. Leave empty to accept all (not recommended).',
			},
			{
				displayName: 'Actions',
				name: 'actions',
				type: 'multiOptions',
				options: [
					{ name: 'New Follower (App_subscribe)', value: 'app_subscribe' },
					{ name: 'Payment (Order_pay)', value: 'order_pay' },
					{ name: 'Upstream Command (Send_up_cmd)', value: 'send_up_cmd' },
				],
				default: [],
				description: 'Only start the workflow for these actions. Empty: all, including future ones.',
			},
		],
	};

	webhookMethods = { default: alwaysRegistered };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const secret = this.getNodeParameter('secret', '') as string;
		if (secret) {
			const presented =
				this.getNodeParameter('secretLocation', 'queryOrHeader') === PATH_MODE
					? (this.getParamsData() as IDataObject)[PATH_PARAM]
					: ((this.getHeaderData() as IDataObject)[SECRET_HEADER] ?? (this.getQueryData() as IDataObject).secret);
			if (!verifyCallbackSecret(secret, presented as string | undefined)) return rejected(this, 403, 'Forbidden');
		}
		let event: WxPusherCallbackEvent;
		try {
			event = parseWxPusherCallback(rawBodyText(this));
		} catch (error) {
			if (isNotifyError(error)) return rejected(this, 400, error.upstreamMessage);
			throw toNodeError(this.getNode(), error);
		}
		const actions = this.getNodeParameter('actions', []) as string[];
		const wanted = actions.length === 0 || actions.includes(event.action);
		const item: IDataObject = { type: event.type, action: event.action, data: event.data as IDataObject };
		return accepted(this, 'success', wanted ? [item] : []);
	}
}
