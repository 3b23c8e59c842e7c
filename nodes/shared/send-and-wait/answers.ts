import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { rejected } from '../webhook-reply';
import { renderDonePage } from './form-page';
import { replyPage } from './page-reply';
import { param, type SendAndWaitContext } from './param';

/** One answer button: its label, the card key a click reports, the query a link carries. */
export interface Answer {
	label: string;
	key: string;
	query: Record<string, string>;
	approved?: boolean;
	choice?: number;
}

/** The buttons of an "Approval" or "Choice From Options" question. */
export function answers(ctx: SendAndWaitContext): Answer[] {
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

export function answerOutput(answer: Answer, user: string | null, via: 'card' | 'link', respondedAt: string): IDataObject {
	return {
		...(answer.approved !== undefined ? { approved: answer.approved } : { choice: answer.label, choiceIndex: answer.choice }),
		answer: answer.label,
		user,
		via,
		respondedAt,
	};
}

// Link-preview fetchers must not answer the question.
const PREVIEW_BOT = /bot\b|crawler|spider|preview|facebookexternalhit|embedly|skypeuripreview|whatsapp/i;

/** An answer link opened (GET on the signed resume URL, already checked by n8n): records the answer it names. */
export function answerFromLink(ctx: IWebhookFunctions): IWebhookResponseData {
	const query = ctx.getQueryData() as IDataObject;
	const list = answers(ctx);
	if (PREVIEW_BOT.test(String(ctx.getHeaderData()['user-agent'] ?? ''))) return rejected(ctx, 200, '');
	const answer = query.choice !== undefined ? list.find((a) => a.choice === Number(query.choice)) : list.find((a) => String(a.approved) === String(query.approved));
	if (!answer) return rejected(ctx, 400, 'Unknown answer');
	replyPage(ctx, 200, renderDonePage('已记录你的回复'));
	return { noWebhookResponse: true, workflowData: [[{ json: answerOutput(answer, null, 'link', new Date().toISOString()) }]] };
}
