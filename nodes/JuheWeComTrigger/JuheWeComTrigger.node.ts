import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { Deduplicator, isNotifyError, parseWeComHookCallback, type WeComHookCallback } from '../../core/src';
import { juheChannel } from '../JuheWeCom/transport/channel';
import { rememberedUrlWebhook } from '../shared/manual-webhook';
import { toNodeError } from '../shared/node-errors';
import { accepted, rawBodyText, rejected } from '../shared/webhook-reply';

// Redelivered messages (same guid + message id) start no second execution.
const seen = new Deduplicator();

export class JuheWeComTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JuHe WeCom Trigger',
		name: 'juheWeComTrigger',
		icon: { light: 'file:../../icons/juhe.svg', dark: 'file:../../icons/juhe.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"WeCom hook callbacks"}}',
		description: 'Starts the workflow on JuHe WeCom hook callbacks: one item per chat message (11010 and 11013 batches)',
		defaults: { name: 'JuHe WeCom Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'juheWeComApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'juhe' }],
		properties: [
			{
				displayName: 'Register Notify URL on Activation',
				name: 'registerNotifyUrl',
				type: 'boolean',
				default: true,
				description: 'Whether to call /client/set_notify_url for the credential\'s GUID with this webhook URL when the workflow is activated',
			},
			{
				displayName: 'Ignore Own Messages',
				name: 'ignoreEchoes',
				type: 'boolean',
				default: true,
				description: 'Whether to drop echoes of messages the account sent itself (send_flag 1)',
			},
			{
				displayName: 'Include Other Events',
				name: 'includeEvents',
				type: 'boolean',
				default: false,
				description: 'Whether to also start the workflow for non-message callbacks (login, contact and room changes), one item each',
			},
		],
	};

	// The hook has no "clear notify URL" call; it posts to the last URL set.
	webhookMethods = {
		default: rememberedUrlWebhook({
			toggle: 'registerNotifyUrl',
			staticKey: 'notifyUrl',
			register: async (ctx, url) => await (await juheChannel.call(ctx)).setNotifyUrl(url),
		}),
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		let callback: WeComHookCallback;
		try {
			callback = parseWeComHookCallback(rawBodyText(this));
		} catch (error) {
			if (isNotifyError(error)) return rejected(this, 400, error.upstreamMessage);
			throw toNodeError(this.getNode(), error);
		}
		const items: IDataObject[] = [];
		if (callback.kind === 'messages') {
			const ignoreEchoes = this.getNodeParameter('ignoreEchoes', true) as boolean;
			for (const message of callback.messages) {
				if (ignoreEchoes && message.direction === 'echo') continue;
				if (seen.isDuplicate(message.dedupeKey)) continue;
				items.push({ guid: callback.guid, notifyType: callback.notifyType, ...(message as unknown as IDataObject) });
			}
		} else if (this.getNodeParameter('includeEvents', false)) {
			items.push({ guid: callback.guid, notifyType: callback.notifyType, data: callback.data as IDataObject });
		}
		return accepted(this, '{"code":0,"msg":"ok"}', items, 'application/json');
	}
}
