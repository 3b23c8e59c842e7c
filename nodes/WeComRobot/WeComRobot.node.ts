import { NodeConnectionTypes, SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { alwaysRegistered } from '../shared/manual-webhook';
import { routeItems } from '../shared/router';
import { SEND_AND_WAIT_TOOLTIP, sendAndWaitWebhooks } from '../shared/send-and-wait/webhooks';
import * as send from './actions/message/send';
import * as sendAndWait from './actions/message/sendAndWait';
import { weComRobotChannel } from './transport/channel';

export class WeComRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom Robot',
		name: 'weComRobot',
		icon: { light: 'file:../../icons/wecom-robot.svg', dark: 'file:../../icons/wecom-robot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "sendAndWait" ? "send and wait" : $parameter["messageType"]}}',
		description: 'Post to a WeCom group chat through its robot webhook',
		defaults: { name: 'WeCom Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComRobotApi', required: true }],
		// Send and Wait: the execution's signed resume URL (answer links and the form page).
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip: SEND_AND_WAIT_TOOLTIP,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Message', value: 'message' }],
				default: 'message',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['message'] } },
				options: [
					{ name: 'Send', value: 'send', action: 'Send a group message', description: 'Post a message to the robot\'s group' },
					{
						name: 'Send and Wait for Response',
						value: SEND_AND_WAIT_OPERATION,
						action: 'Send message and wait for response',
						description: 'Ask the group with answer links or a form link and wait for the answer',
					},
				],
				default: 'send',
			},
			...send.description,
			...sendAndWait.description,
		],
	};

	// The send-and-wait webhooks are restart webhooks: n8n never registers them on activation.
	webhookMethods = { default: alwaysRegistered };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWait.webhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0) === SEND_AND_WAIT_OPERATION) {
			return await sendAndWait.execute.call(this, await weComRobotChannel.call(this));
		}
		return await routeItems(this, { message: { send: send.execute } }, weComRobotChannel, { channel: 'wecom-bot', send: send.sendAlert });
	}
}
