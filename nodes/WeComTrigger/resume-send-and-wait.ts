import type { IWebhookFunctions } from 'n8n-workflow';
import { redactUrl, type TemplateCardEvent } from '../../core/src';
import { parseSendAndWaitTaskId, resumeUrlOf, waitingBaseNextTo } from '../shared/send-and-wait-task';

/**
 * A click on a WeCom node's Send and Wait card: call the waiting execution's signed resume URL
 * (n8n checks the signature) with who clicked what. Other cards' clicks are left alone. Failures
 * are logged, never thrown: WeCom must still get its 200, and a finished execution (a second
 * member's click) answers "no action required".
 */
export async function resumeWaitingExecution(ctx: IWebhookFunctions, event: TemplateCardEvent): Promise<void> {
	const task = parseSendAndWaitTaskId(event.taskId);
	if (!task || event.event !== 'template_card_event') return;
	const base = String(ctx.getNodeParameter('waitingBaseUrl', '') || '') || waitingBaseNextTo(ctx.getNodeWebhookUrl('default') ?? '');
	if (!base) {
		ctx.logger.warn('WeCom Trigger: set Waiting Webhook Base URL to resume Send and Wait executions');
		return;
	}
	try {
		await ctx.helpers.httpRequest({
			method: 'POST',
			url: resumeUrlOf(task, base),
			json: true,
			body: { userId: event.userId, eventKey: event.eventKey, responseCode: event.responseCode, createTime: event.createTime, taskId: event.taskId, selected: event.selected },
			timeout: 4000,
		});
	} catch (error) {
		ctx.logger.warn(`WeCom Trigger: resuming execution ${task.executionId} failed: ${redactUrl((error as Error).message)}`);
	}
}
