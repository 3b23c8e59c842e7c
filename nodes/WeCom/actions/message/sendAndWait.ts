import { NodeOperationError, SEND_AND_WAIT_OPERATION, updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { buttonCard, truncateChars, WECOM_APP_LIMITS, type CardButton, type WeComAppChannel } from '../../../../core/src';
import { limitText } from '../../../shared/fields';
import { toNodeError } from '../../../shared/node-errors';
import { answerFromLink, answerOutput, answers, type Answer } from '../../../shared/send-and-wait/answers';
import { answerWithForm, isFormResponse, responseFormFields } from '../../../shared/send-and-wait/form-webhook';
import { param } from '../../../shared/send-and-wait/param';
import { questionOptions, questionProperties, type QuestionTexts } from '../../../shared/send-and-wait/question-properties';
import { waitTill } from '../../../shared/send-and-wait/wait-time';
import { sendAndWaitTaskId, VIA_WECOM } from '../../../shared/send-and-wait-task';
import { rejected, replyExactly } from '../../../shared/webhook-reply';
import { weComChannel } from '../../transport/channel';
import { readRecipients, recipientFields } from './recipients';

/**
 * "Send and Wait for Response", following n8n's send-and-wait conventions (operation value
 * `sendAndWait`, GET/POST restart webhooks on the node id, n8n-signed resume URLs, a wait limit).
 * Two ways back: native card buttons (the click reaches the WeCom Trigger, which calls the signed
 * resume URL with the member's userid; the card is then updated for everyone) or links to the
 * signed resume URL (no callback needed, but a link cannot tell who clicked). Free Text and
 * Custom Form are links only: the link opens a form page served by this node's webhook.
 */
const show = (values: Record<string, string[]>) => ({ show: values });
const FORM_TYPES = ['freeText', 'customForm'];

const texts: QuestionTexts = {
	subject: limitText('wecom-app', 'cardTitleChars', (n) => `The card title (up to ${n} characters); empty: the first line of the message`),
	message: limitText('wecom-app', 'cardSubTitleChars', (n) => `The question. With card buttons it may have up to ${n} characters.`),
	choices: limitText('wecom-app', 'cardButtonsMax', (n) => `Up to ${n} options with card buttons`),
	messageButtonLabel: limitText('wecom-app', 'textcardButtonChars', (n) => `The button of the text card that opens the form (up to ${n} characters)`),
};

const properties: INodeProperties[] = [
	...recipientFields,
	...questionProperties(texts),
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
		displayOptions: show({ resumeWith: ['cardButtons'], responseType: ['approval', 'choice'] }),
	},
	{
		displayName: 'Free Text and Custom Form need Resume With: Links. WeCom cards have no text input; the link opens a form page on this n8n.',
		name: 'formNeedsLinksNotice',
		type: 'notice',
		default: '',
		displayOptions: show({ resumeWith: ['cardButtons'], responseType: FORM_TYPES }),
	},
	{
		displayName: 'Links: anyone holding the link can answer, and the answer carries no user. Use card buttons when it matters who answered.',
		name: 'linksNotice',
		type: 'notice',
		default: '',
		displayOptions: show({ resumeWith: ['links'] }),
	},
	...questionOptions(texts, [
		{
			displayName: 'Answered Card Text',
			name: 'answeredText',
			type: 'string',
			default: '已由 {user} 选择 {answer} · {time}',
			description: 'Card buttons: what replaces the buttons for everyone once someone answered. {user}, {answer} and {time} are filled in.',
		},
	]),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION] } }, properties);

/** Sends the question (first item, as n8n's send-and-wait nodes do) and puts the execution to wait. */
export async function execute(this: IExecuteFunctions, channel: WeComAppChannel): Promise<INodeExecutionData[][]> {
	try {
		const message = String(this.getNodeParameter('message', 0, '')).trim();
		if (!message) throw new NodeOperationError(this.getNode(), 'Message is required');
		const subjectParam = String(this.getNodeParameter('subject', 0, '')).trim();
		const subject = subjectParam || truncateChars(message.split('\n')[0], WECOM_APP_LIMITS.cardTitleChars);
		const to = readRecipients(this, 0);
		const responseType = this.getNodeParameter('responseType', 0, 'approval');
		const links = this.getNodeParameter('resumeWith', 0, 'cardButtons') === 'links';
		if (isFormResponse(responseType)) {
			if (!links) {
				throw new NodeOperationError(this.getNode(), `Response Type "${responseType === 'freeText' ? 'Free Text' : 'Custom Form'}" needs Resume With: Links`, {
					description: 'WeCom template cards have no text input: the answer is given on a form page that a link opens.',
				});
			}
			responseFormFields(this, responseType);
			await sendFormLink(this, channel, { title: subjectParam || undefined, message, to });
		} else if (links) {
			const list = answers(this);
			const html = list.map((a) => `<a href="${this.getSignedResumeUrl(a.query)}">${a.label}</a>`).join('    ');
			await channel.send({ type: 'text', title: subject === message ? undefined : subject, content: `${message}\n\n${html}`, to, options: { duplicateCheck: false } });
		} else {
			const list = answers(this);
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

/** A text card whose button opens the form page (the signed resume URL, as n8n's own nodes sign it). */
async function sendFormLink(ctx: IExecuteFunctions, channel: WeComAppChannel, q: { title?: string; message: string; to: ReturnType<typeof readRecipients> }): Promise<void> {
	const label = String(param(ctx, 'options.messageButtonLabel', '去回复') || '去回复').trim();
	if (Array.from(label).length > WECOM_APP_LIMITS.textcardButtonChars) {
		throw new NodeOperationError(ctx.getNode(), `Message Button Label is over ${WECOM_APP_LIMITS.textcardButtonChars} characters`, { description: 'It is the button of a WeCom text card.' });
	}
	const url = ctx.getSignedResumeUrl({ approved: 'true' });
	await channel.send({ type: 'textcard', title: q.title, content: q.message, url, to: q.to, options: { btntxt: label, duplicateCheck: false } });
}

/** The resume request: a link opened (GET), a form posted (POST) or a card click forwarded by the WeCom Trigger (POST, signed `via=wecom`). */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const responseType = param(this, 'responseType', 'approval');
	if (isFormResponse(responseType)) return await answerWithForm(this, responseType);
	if (this.getRequestObject().method === 'GET') return answerFromLink(this);
	const query = this.getQueryData() as IDataObject;
	if (query.via !== VIA_WECOM.via) return rejected(this, 400, 'Unknown answer');
	const click = this.getBodyData() as IDataObject;
	const answer = answers(this).find((a) => a.key === click.eventKey);
	const user = typeof click.userId === 'string' ? click.userId : '';
	if (!answer || !user) return rejected(this, 400, 'Unknown answer');
	const json = answerOutput(answer, user, 'card', new Date().toISOString());
	json.cardUpdated = await updateCard(this, click, answer, user);
	replyExactly(this, 200, JSON.stringify({ ok: true }), 'application/json');
	return { noWebhookResponse: true, workflowData: [[{ json }]] };
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
