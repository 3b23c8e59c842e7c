import { NodeOperationError, SEND_AND_WAIT_OPERATION, updateDisplayOptions, WAIT_INDEFINITELY } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { buttonCard, truncateChars, WECOM_APP_LIMITS, type CardButton, type WeComAppChannel } from '../../../../core/src';
import { limitText } from '../../../shared/fields';
import { toNodeError } from '../../../shared/node-errors';
import { sendAndWaitTaskId, VIA_WECOM } from '../../../shared/send-and-wait-task';
import { rejected, replyExactly } from '../../../shared/webhook-reply';
import { weComChannel } from '../../transport/channel';
import { readRecipients, recipientFields } from './recipients';

/**
 * "Send and Wait for Response", following n8n's send-and-wait conventions (operation value
 * `sendAndWait`, GET/POST restart webhooks on the node id, n8n-signed resume URLs, a wait limit).
 * Two ways back: native card buttons (the click reaches the WeCom Trigger, which calls the signed
 * resume URL with the member's userid; the card is then updated for everyone) or links to the
 * signed resume URL (no callback needed, but a link cannot tell who clicked).
 */
const resumeWith = (...values: string[]) => ({ resumeWith: values });

const properties: INodeProperties[] = [
	...recipientFields,
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		description: limitText('wecom-app', 'cardTitleChars', (n) => `The card title (up to ${n} characters); empty: the first line of the message`),
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: limitText('wecom-app', 'cardSubTitleChars', (n) => `The question. With card buttons it may have up to ${n} characters.`),
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		options: [
			{ name: 'Approval', value: 'approval', description: 'Approve (and optionally decline) buttons' },
			{ name: 'Choice From Options', value: 'choice', description: 'One button per option' },
		],
		default: 'approval',
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { responseType: ['approval'] } },
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Disapprove', value: 'double' },
						],
						default: 'single',
					},
					{ displayName: 'Approve Button Label', name: 'approveLabel', type: 'string', default: 'Approve' },
					{
						displayName: 'Disapprove Button Label',
						name: 'disapproveLabel',
						type: 'string',
						default: 'Decline',
						displayOptions: { show: { approvalType: ['double'] } },
					},
				],
			},
		],
	},
	{
		displayName: 'Options To Choose From',
		name: 'choices',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { responseType: ['choice'] } },
		description: limitText('wecom-app', 'cardButtonsMax', (n) => `Up to ${n} options with card buttons`),
		options: [{ displayName: 'Option', name: 'values', values: [{ displayName: 'Label', name: 'label', type: 'string', default: '' }] }],
	},
	{
		displayName: 'Resume With',
		name: 'resumeWith',
		type: 'options',
		options: [
			{
				name: 'Card Buttons (Knows Who Answered)',
				value: 'cardButtons',
				description: "WeCom calls the app's callback URL with the member's userid; needs an active WeCom Trigger workflow on that URL",
			},
			{
				name: 'Links (Anyone With the Link)',
				value: 'links',
				description: 'Links to the signed resume URL; works without a callback URL, but a link cannot tell who clicked',
			},
		],
		default: 'cardButtons',
	},
	{
		displayName:
			"Card buttons: set the app's callback URL (Receive messages) to an active WeCom Trigger's production URL and the server's IP as a trusted IP. The Trigger resumes this execution and the card then shows who answered.",
		name: 'cardButtonsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: resumeWith('cardButtons') },
	},
	{
		displayName: 'Links: anyone holding the link can answer, and the answer carries no user. Use card buttons when it matters who answered.',
		name: 'linksNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: resumeWith('links') },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Answered Card Text',
				name: 'answeredText',
				type: 'string',
				default: '已由 {user} 选择 {answer} · {time}',
				description: 'Card buttons: what replaces the buttons for everyone once someone answered. {user}, {answer} and {time} are filled in.',
			},
			{
				displayName: 'Limit Wait Time',
				name: 'limitWaitTime',
				type: 'fixedCollection',
				description: 'Whether the workflow automatically resumes execution after a specified time; it then outputs its input items',
				default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
				options: [
					{
						displayName: 'Values',
						name: 'values',
						values: [
							{
								displayName: 'Limit Type',
								name: 'limitType',
								type: 'options',
								default: 'afterTimeInterval',
								options: [
									{ name: 'After Time Interval', value: 'afterTimeInterval', description: 'Waits for a certain amount of time' },
									{ name: 'At Specified Time', value: 'atSpecifiedTime', description: 'Waits until the set date and time to continue' },
								],
							},
							{
								displayName: 'Amount',
								name: 'resumeAmount',
								type: 'number',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
								typeOptions: { minValue: 0, numberPrecision: 2 },
								default: 1,
								description: 'The time to wait',
							},
							{
								displayName: 'Unit',
								name: 'resumeUnit',
								type: 'options',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
								options: [
									{ name: 'Minutes', value: 'minutes' },
									{ name: 'Hours', value: 'hours' },
									{ name: 'Days', value: 'days' },
								],
								default: 'hours',
								description: 'Unit of the interval value',
							},
							{
								displayName: 'Max Date and Time',
								name: 'maxDateAndTime',
								type: 'dateTime',
								displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
								default: '',
								description: 'Continue execution after the specified date and time',
							},
						],
					},
				],
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION] } }, properties);

/** One answer button: its label, the card key a click reports, the query a link carries. */
interface Answer {
	label: string;
	key: string;
	query: Record<string, string>;
	approved?: boolean;
	choice?: number;
}

type Ctx = IExecuteFunctions | IWebhookFunctions;

/** A parameter of the first item: execute() reads item 0, the resume webhook has no items. */
function param(ctx: Ctx, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx ? ctx.getNodeParameter(name, 0, fallback) : (ctx as IWebhookFunctions).getNodeParameter(name, fallback);
}

function answers(ctx: Ctx): Answer[] {
	if (param(ctx, 'responseType', 'approval') === 'choice') {
		const values = ((param(ctx, 'choices', {}) as { values?: IDataObject[] }).values ?? []).map((v) => String(v.label ?? '').trim());
		if (values.length === 0 || values.some((v) => v === '')) throw new NodeOperationError(ctx.getNode(), 'Give every option a label (at least one option)');
		return values.map((label, choice) => ({ label, key: `choice_${choice}`, query: { choice: String(choice) }, choice }));
	}
	const approval = param(ctx, 'approvalOptions.values', {}) as IDataObject;
	const approve: Answer = { label: String(approval.approveLabel || 'Approve'), key: 'approve', query: { approved: 'true' }, approved: true };
	if (approval.approvalType !== 'double') return [approve];
	return [approve, { label: String(approval.disapproveLabel || 'Decline'), key: 'decline', query: { approved: 'false' }, approved: false }];
}

function waitTill(ctx: IExecuteFunctions): Date {
	const limit = ctx.getNodeParameter('options.limitWaitTime.values', 0, {}) as IDataObject;
	if (!limit || Object.keys(limit).length === 0) return WAIT_INDEFINITELY;
	const date =
		limit.limitType === 'atSpecifiedTime'
			? new Date(String(limit.maxDateAndTime))
			: new Date(Date.now() + Number(limit.resumeAmount) * { minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[String(limit.resumeUnit) as 'minutes']);
	if (Number.isNaN(date.getTime())) throw new NodeOperationError(ctx.getNode(), 'Could not configure Limit Wait Time');
	return date;
}

/** Sends the question (first item, as n8n's send-and-wait nodes do) and puts the execution to wait. */
export async function execute(this: IExecuteFunctions, channel: WeComAppChannel): Promise<INodeExecutionData[][]> {
	try {
		const message = String(this.getNodeParameter('message', 0, '')).trim();
		if (!message) throw new NodeOperationError(this.getNode(), 'Message is required');
		const subject = String(this.getNodeParameter('subject', 0, '')).trim() || truncateChars(message.split('\n')[0], WECOM_APP_LIMITS.cardTitleChars);
		const to = readRecipients(this, 0);
		const list = answers(this);
		if (this.getNodeParameter('resumeWith', 0, 'cardButtons') === 'links') {
			const links = list.map((a) => `<a href="${this.getSignedResumeUrl(a.query)}">${a.label}</a>`).join('    ');
			await channel.send({ type: 'text', title: subject === message ? undefined : subject, content: `${message}\n\n${links}`, to, options: { duplicateCheck: false } });
		} else {
			const taskId = sendAndWaitTaskId(this.getSignedResumeUrl(VIA_WECOM));
			if (!taskId) throw new NodeOperationError(this.getNode(), 'This node id or execution id does not fit a WeCom task id; use Resume With: Links');
			const buttons: CardButton[] = list.map((a, i) => ({ text: a.label, key: a.key, style: a.approved === false ? 2 : i === 0 ? 1 : 4 }));
			await channel.sendCard(buttonCard({ taskId, title: subject, ...(subject === message ? {} : { subTitle: message }), buttons }), to);
		}
		await this.putExecutionToWait(waitTill(this));
		return [this.getInputData()];
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

// Link-preview fetchers must not answer the question.
const PREVIEW_BOT = /bot\b|crawler|spider|preview|facebookexternalhit|embedly|skypeuripreview|whatsapp/i;

const RECORDED_PAGE =
	'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>已记录</title></head>' +
	'<body style="font-family:sans-serif;text-align:center;padding:3em 1em"><h2>已记录你的回复</h2><p>Your response has been recorded. You can close this page.</p></body></html>';

/** The resume request: a link opened (GET) or a card click forwarded by the WeCom Trigger (POST, signed `via=wecom`). */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = this.getQueryData() as IDataObject;
	const list = answers(this);
	const respondedAt = new Date().toISOString();
	if (this.getRequestObject().method === 'GET') {
		if (PREVIEW_BOT.test(String(this.getHeaderData()['user-agent'] ?? ''))) return rejected(this, 200, '');
		const answer = query.choice !== undefined ? list.find((a) => a.choice === Number(query.choice)) : list.find((a) => String(a.approved) === String(query.approved));
		if (!answer) return rejected(this, 400, 'Unknown answer');
		replyExactly(this, 200, RECORDED_PAGE, 'text/html; charset=utf-8');
		return { noWebhookResponse: true, workflowData: [[{ json: output(answer, null, 'link', respondedAt) }]] };
	}
	if (query.via !== VIA_WECOM.via) return rejected(this, 400, 'Unknown answer');
	const click = this.getBodyData() as IDataObject;
	const answer = list.find((a) => a.key === click.eventKey);
	const user = typeof click.userId === 'string' ? click.userId : '';
	if (!answer || !user) return rejected(this, 400, 'Unknown answer');
	const json = output(answer, user, 'card', respondedAt);
	json.cardUpdated = await updateCard(this, click, answer, user);
	replyExactly(this, 200, JSON.stringify({ ok: true }), 'application/json');
	return { noWebhookResponse: true, workflowData: [[{ json }]] };
}

function output(answer: Answer, user: string | null, via: 'card' | 'link', respondedAt: string): IDataObject {
	return {
		...(answer.approved !== undefined ? { approved: answer.approved } : { choice: answer.label, choiceIndex: answer.choice }),
		answer: answer.label,
		user,
		via,
		respondedAt,
	};
}

/** Replaces the buttons for every recipient with who answered (best effort: the answer stands either way). */
async function updateCard(ctx: IWebhookFunctions, click: IDataObject, answer: Answer, user: string): Promise<boolean> {
	if (typeof click.responseCode !== 'string' || click.responseCode === '') return false;
	const template = String(param(ctx, 'options.answeredText', '已由 {user} 选择 {answer} · {time}'));
	const time = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: ctx.getTimezone() }).format(new Date());
	const text = template.replace(/\{user\}/g, user).replace(/\{answer\}/g, answer.label).replace(/\{time\}/g, time);
	try {
		const channel = await weComChannel.call(ctx);
		await channel.updateTemplateCard({ responseCode: click.responseCode, issuedAt: Number(click.createTime) * 1000 || undefined, replaceButton: text });
		return true;
	} catch (error) {
		ctx.logger.warn(`WeCom card update failed: ${(error as Error).message}`);
		return false;
	}
}
