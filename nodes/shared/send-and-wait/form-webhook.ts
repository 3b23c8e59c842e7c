import type { FormFieldsParameter, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { FREE_TEXT_FIELDS, normalizeFormFields, parseJsonFormFields, type FormField } from './form-fields';
import { renderDonePage, renderFormPage } from './form-page';
import { readSubmission } from './form-submission';
import { replyPage } from './page-reply';
import { param, type SendAndWaitContext } from './param';

/** n8n's form response types: the link opens a form page instead of answering on open. */
export type FormResponseType = 'freeText' | 'customForm';

export function isFormResponse(responseType: unknown): responseType is FormResponseType {
	return responseType === 'freeText' || responseType === 'customForm';
}

/** The form's fields, checked (a NodeOperationError names the field). Read when sending and again when the link is opened. */
export function responseFormFields(ctx: SendAndWaitContext, responseType: FormResponseType): readonly FormField[] {
	if (responseType === 'freeText') return FREE_TEXT_FIELDS;
	if (param(ctx, 'defineForm', 'fields') === 'json') return parseJsonFormFields(ctx.getNode(), param(ctx, 'jsonOutput', '[]'));
	return normalizeFormFields(ctx.getNode(), (param(ctx, 'formFields.values', []) as FormFieldsParameter) ?? []);
}

/**
 * The signed resume URL of a form response (n8n has checked the signature before this runs):
 * GET shows the form, POST takes the answer and resumes the execution with `{ data: { …, respondedAt } }`
 * (Free Text: `{ data: { text, respondedAt } }`), as n8n's own send-and-wait nodes output it.
 * A submission that fails the checks shows the form again (400) and resumes nothing.
 */
export async function answerWithForm(ctx: IWebhookFunctions, responseType: FormResponseType): Promise<IWebhookResponseData> {
	const fields = responseFormFields(ctx, responseType);
	const options = (param(ctx, 'options', {}) ?? {}) as Record<string, unknown>;
	const form = {
		title: String(options.responseFormTitle || param(ctx, 'subject', '') || ''),
		description: String(options.responseFormDescription || param(ctx, 'message', '') || ''),
		buttonLabel: String(options.responseFormButtonLabel || '提交'),
		fields,
	};
	const method = ctx.getRequestObject().method;
	if (method === 'GET') {
		replyPage(ctx, 200, renderFormPage(form));
		return { noWebhookResponse: true };
	}
	const submission = readSubmission(fields, ctx.getBodyData());
	if (!submission.ok) {
		replyPage(ctx, 400, renderFormPage({ ...form, values: submission.values, errors: submission.errors }));
		return { noWebhookResponse: true };
	}
	replyPage(ctx, 200, renderDonePage());
	// respondedAt last, so a field of that name cannot replace the server's time.
	return { noWebhookResponse: true, workflowData: [[{ json: { data: { ...submission.data, respondedAt: new Date().toISOString() } } }]] };
}
