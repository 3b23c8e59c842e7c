import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { Deduplicator, TemplateCardInbox, WeComCallback, WeComCryptoError, type WeComCallbackMessage } from '../../core/src';
import { resumeWaitingExecution } from './resume-send-and-wait';
import { accepted, rawBodyText, rejected, replyExactly } from '../shared/webhook-reply';
import { alwaysRegistered } from '../shared/manual-webhook';

// Redeliveries (WeCom retries when the reply is slow) start no second execution.
const seen = new Deduplicator();
// Card clicks: redeliveries and a member's double tap resume nothing twice.
const clicks = new TemplateCardInbox();

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
		credentials: [{ name: 'weComCallbackApi', required: true }],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'wecom' },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'wecom' },
		],
		properties: [
			{
				displayName:
					'Set the Production URL below as the app\'s "Receive messages" URL in the WeCom admin console, with the same Token and EncodingAESKey as the credential',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Message Types',
				name: 'msgTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Event', value: 'event' },
					{ name: 'File', value: 'file' },
					{ name: 'Image', value: 'image' },
					{ name: 'Link', value: 'link' },
					{ name: 'Location', value: 'location' },
					{ name: 'Text', value: 'text' },
					{ name: 'Video', value: 'video' },
					{ name: 'Voice', value: 'voice' },
				],
				default: [],
				description: 'Only start the workflow for these MsgType values. Empty: all.',
			},
			{
				displayName: 'Max Timestamp Age (Seconds)',
				name: 'maxSkewSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300,
				description: 'Reject callbacks whose signed timestamp is further than this from now (replay protection). 0 turns the check off.',
			},
			{
				displayName: 'Resume Send and Wait Executions',
				name: 'resumeSendAndWait',
				type: 'boolean',
				default: true,
				description:
					"Whether a click on a WeCom node's Send and Wait card button resumes that waiting execution (with the member's userid) on this n8n",
			},
			{
				displayName: 'Waiting Webhook Base URL',
				name: 'waitingBaseUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook-waiting',
				description: "Where this n8n's waiting executions are resumed. Empty: next to this trigger's URL (…/webhook-waiting).",
				displayOptions: { show: { resumeSendAndWait: [true] } },
			},
		],
	};

	webhookMethods = { default: alwaysRegistered, setup: alwaysRegistered };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('weComCallbackApi');
		const skew = this.getNodeParameter('maxSkewSeconds', 300) as number;
		let callback: WeComCallback;
		try {
			callback = new WeComCallback({
				token: credentials.token as string,
				encodingAESKey: credentials.encodingAesKey as string,
				receiveId: credentials.corpId as string,
				maxTimestampSkewSeconds: skew > 0 ? skew : undefined,
			});
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
		const types = this.getNodeParameter('msgTypes', []) as string[];
		const wanted = types.length === 0 || types.includes(String(item.MsgType));
		const key = item.MsgId ? `msg:${String(item.MsgId)}` : `event:${String(item.FromUserName)}:${String(item.CreateTime)}:${String(item.Event ?? '')}`;
		const fresh = !seen.isDuplicate(`${this.getNode().id}:${key}`);
		// An empty 200 tells WeCom the message was received (no passive reply).
		return accepted(this, '', wanted && fresh ? [item] : []);
	}
}

function refuse(ctx: IWebhookFunctions, error: unknown): IWebhookResponseData {
	if (error instanceof WeComCryptoError) {
		const status = error.code === 'BAD_REQUEST' ? 400 : 403;
		return rejected(ctx, status, status === 400 ? 'Bad Request' : 'Forbidden');
	}
	throw new NodeOperationError(ctx.getNode(), error as Error);
}
