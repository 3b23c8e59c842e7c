import { NodeConnectionTypes, NodeApiError } from 'n8n-workflow';
import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	JsonObject,
} from 'n8n-workflow';
import { GewechatCallbackInbox, isNotifyError, type GewechatCallbackEvent } from '../../core/src';
import { gewechatChannel } from '../Gewechat/transport/channel';
import { accepted, rawBodyText, rejected } from '../shared/webhook-reply';
import { rememberedUrlWebhook } from '../shared/manual-webhook';

// One inbox per process: redelivered messages (same appId + NewMsgId) start no second execution.
const inbox = new GewechatCallbackInbox();

export class GewechatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gewechat Trigger',
		name: 'gewechatTrigger',
		icon: { light: 'file:../../icons/gewechat.svg', dark: 'file:../../icons/gewechat.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"events: " + $parameter["events"].join(", ")}}',
		description: 'Starts the workflow when the gewechat server posts a callback (messages, contact changes)',
		defaults: { name: 'Gewechat Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'gewechatApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'gewechat' }],
		properties: [
			{
				displayName: 'Register Callback URL on Activation',
				name: 'registerCallback',
				type: 'boolean',
				default: true,
				description: 'Whether to call /tools/setCallback with this webhook URL when the workflow is activated (one callback URL per server token)',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Messages (AddMsg)', value: 'AddMsg' },
					{ name: 'Other Events', value: 'other', description: 'ModContacts, DelContacts, Offline and future types' },
				],
				default: ['AddMsg'],
			},
			{
				displayName: 'Ignore Own Messages',
				name: 'ignoreSelf',
				type: 'boolean',
				default: true,
				description: 'Whether to skip messages sent by the account itself (from another device or by this API)',
			},
		],
	};

	// gewechat can neither report nor remove its callback URL: remember what we registered
	// (the server keeps posting to it until another URL is set).
	webhookMethods = {
		default: rememberedUrlWebhook({
			toggle: 'registerCallback',
			staticKey: 'callbackUrl',
			register: async (ctx, url) => await (await gewechatChannel.call(ctx)).setCallback(url),
		}),
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		let event: GewechatCallbackEvent;
		let duplicate: boolean;
		try {
			({ event, duplicate } = inbox.accept(rawBodyText(this)));
		} catch (error) {
			if (isNotifyError(error)) return rejected(this, 400, error.upstreamMessage);
			throw new NodeApiError(this.getNode(), error as JsonObject);
		}
		const events = this.getNodeParameter('events', ['AddMsg']) as string[];
		const ignoreSelf = this.getNodeParameter('ignoreSelf', true) as boolean;
		const wanted =
			event.kind === 'message'
				? events.includes('AddMsg') && !duplicate && !(ignoreSelf && event.isSelf)
				: event.kind === 'event' && events.includes('other');
		return accepted(this, 'SUCCESS', wanted ? [event as unknown as IDataObject] : []);
	}
}
