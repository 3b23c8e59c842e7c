import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { Deduplicator, passiveTextReplyXml, TemplateCardInbox, WeComCallback, WeComCryptoError, type WeComCallbackMessage } from '../../core/src';
import { resumeWaitingExecution } from './resume-send-and-wait';
import { accepted, rawBodyText, rejected, replyExactly } from '../shared/webhook-reply';
import { alwaysRegistered } from '../shared/manual-webhook';
import { callbackFrom, weComCallbackCredentialTest } from './callback';
import { triggerProperties } from './description';

// Redeliveries (WeCom retries when the reply is slow) start no second execution.
const seen = new Deduplicator();
// Card clicks: redeliveries and a member's double tap resume nothing twice.
const clicks = new TemplateCardInbox();

/** Activation fails on a malformed credential, instead of every callback failing with HTTP 500 later. */
const checkedOnActivation = {
	...alwaysRegistered,
	async checkExists(this: IHookFunctions): Promise<boolean> {
		try {
			callbackFrom(await this.getCredentials('weComCallbackApi'));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `The WeCom callback credential is invalid: ${(error as Error).message}`);
		}
		return true;
	},
};

export class WeComTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom Trigger',
		name: 'weComTrigger',
		icon: { light: 'file:../../icons/wecom.svg', dark: 'file:../../icons/wecom.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"WeCom app callbacks"}}',
		description: 'Starts the workflow when a WeCom app receives a message or event (encrypted callback)',
		defaults: { name: 'WeCom Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComCallbackApi', required: true, testedBy: 'weComCallbackCredentialTest' }],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'wecom' },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'wecom' },
		],
		properties: triggerProperties,
	};

	methods = { credentialTest: { weComCallbackCredentialTest } };

	webhookMethods = { default: checkedOnActivation, setup: alwaysRegistered };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const skew = this.getNodeParameter('maxSkewSeconds', 300) as number;
		let callback: WeComCallback;
		try {
			callback = callbackFrom(await this.getCredentials('weComCallbackApi'), skew > 0 ? skew : undefined);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `The WeCom callback credential is invalid: ${(error as Error).message}`);
		}
		const query = this.getQueryData() as Record<string, string>;

		if (this.getWebhookName() === 'setup') {
			try {
				// URL verification: the bare decrypted echostr, nothing else.
				replyExactly(this, 200, callback.verifyUrl(query));
				return { noWebhookResponse: true };
			} catch (error) {
				return refuse(this, error);
			}
		}

		let message: WeComCallbackMessage;
		try {
			message = callback.decryptMessage(query, rawBodyText(this));
		} catch (error) {
			return refuse(this, error);
		}
		if (this.getNodeParameter('resumeSendAndWait', true) as boolean) {
			const receipt = clicks.accept(message);
			if (receipt && !receipt.duplicate) await resumeWaitingExecution(this, receipt.event);
		}
		const item = message as IDataObject;
		const wanted = matchesFilters(this, item);
		const key = item.MsgId ? `msg:${String(item.MsgId)}` : `event:${String(item.FromUserName)}:${String(item.CreateTime)}:${String(item.Event ?? '')}`;
		const fresh = !seen.isDuplicate(`${this.getNode().id}:${key}`);
		const reply = wanted ? passiveReply(this, callback, message) : '';
		return accepted(this, reply, wanted && fresh ? [item] : [], reply ? 'application/xml; charset=utf-8' : undefined);
	}
}

/** MsgType filter, and for events the Event filter (both empty: everything). */
function matchesFilters(ctx: IWebhookFunctions, item: IDataObject): boolean {
	const types = ctx.getNodeParameter('msgTypes', []) as string[];
	if (types.length > 0 && !types.includes(String(item.MsgType))) return false;
	const events = (ctx.getNodeParameter('events', []) as string[]).map((e) => e.toLowerCase());
	if (events.length === 0 || item.MsgType !== 'event') return true;
	return events.includes(String(item.Event ?? '').toLowerCase());
}

/** The encrypted passive reply, or an empty body (WeCom's "received, no reply"). Not for events: WeCom shows nothing for them. */
function passiveReply(ctx: IWebhookFunctions, callback: WeComCallback, message: WeComCallbackMessage): string {
	const text = ctx.getNodeParameter('passiveReply', '') as string;
	if (!text || message.MsgType === 'event') return '';
	return callback.encryptReply(passiveTextReplyXml(message, text, Date.now() / 1000));
}

function refuse(ctx: IWebhookFunctions, error: unknown): IWebhookResponseData {
	if (error instanceof WeComCryptoError) {
		const status = error.code === 'BAD_REQUEST' ? 400 : 403;
		return rejected(ctx, status, status === 400 ? 'Bad Request' : 'Forbidden');
	}
	throw new NodeOperationError(ctx.getNode(), error as Error);
}
