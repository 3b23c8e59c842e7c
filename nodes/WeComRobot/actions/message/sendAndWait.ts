import { NodeOperationError, SEND_AND_WAIT_OPERATION, updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import type { WeComBotChannel } from '../../../../core/src';
import { limitText } from '../../../shared/fields';
import { toNodeError } from '../../../shared/node-errors';
import { answerFromLink, answers } from '../../../shared/send-and-wait/answers';
import { answerWithForm, isFormResponse, responseFormFields } from '../../../shared/send-and-wait/form-webhook';
import { param } from '../../../shared/send-and-wait/param';
import { questionOptions, questionProperties, type QuestionTexts } from '../../../shared/send-and-wait/question-properties';
import { waitTill } from '../../../shared/send-and-wait/wait-time';
import { rejected } from '../../../shared/webhook-reply';

/**
 * "Send and Wait for Response" for a group robot. Robots cannot receive callbacks, so every answer
 * comes back through links to the execution's n8n-signed resume URL: approval / choice links that
 * answer on open, or (Free Text, Custom Form) a link to the form page. A link cannot tell who
 * clicked, and anyone in the group (or holding the link) can answer.
 */
const texts: QuestionTexts = {
	subject: 'Bold first line of the message; empty: none',
	message: limitText('wecom-bot', 'markdownBytes', (n) => `The question, as markdown (up to ${n} UTF-8 bytes with the links)`),
	messageButtonLabel: 'The text of the link that opens the form',
};

const properties: INodeProperties[] = [
	{
		displayName: 'Robots cannot receive callbacks: the answer comes back through links to this execution (anyone holding a link can answer, and the answer carries no user)',
		name: 'robotLinksNotice',
		type: 'notice',
		default: '',
	},
	...questionProperties(texts),
	...questionOptions(texts),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION] } }, properties);

/** `[label](url)`: brackets in a label would end the link text early. */
function link(label: string, url: string): string {
	return `[${label.replace(/[[\]]/g, '')}](${url})`;
}

/** Sends the question as markdown with its answer links (first item, as n8n's send-and-wait nodes do) and puts the execution to wait. */
export async function execute(this: IExecuteFunctions, channel: WeComBotChannel): Promise<INodeExecutionData[][]> {
	try {
		const message = String(this.getNodeParameter('message', 0, '')).trim();
		if (!message) throw new NodeOperationError(this.getNode(), 'Message is required');
		const subject = String(this.getNodeParameter('subject', 0, '')).trim();
		const responseType = this.getNodeParameter('responseType', 0, 'approval');
		let links: string;
		if (isFormResponse(responseType)) {
			responseFormFields(this, responseType);
			links = link(String(param(this, 'options.messageButtonLabel', '去回复') || '去回复'), this.getSignedResumeUrl({ approved: 'true' }));
		} else {
			links = answers(this)
				.map((a) => link(a.label, this.getSignedResumeUrl(a.query)))
				.join('　　');
		}
		await channel.send({ type: 'markdown', format: 'markdown', title: subject || undefined, content: `${message}\n\n${links}` });
		await this.putExecutionToWait(waitTill(this));
		return [this.getInputData()];
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

/** The signed resume URL: an answer link opened (GET), or the form page (GET) and its submission (POST). */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const responseType = param(this, 'responseType', 'approval');
	if (isFormResponse(responseType)) return await answerWithForm(this, responseType);
	if (this.getRequestObject().method === 'GET') return answerFromLink(this);
	return rejected(this, 400, 'Unknown answer');
}
