import type { IWebhookDescription } from 'n8n-workflow';

/**
 * The webhooks of a send-and-wait node, as n8n's own nodes declare them: GET and POST restart
 * webhooks on the node id, reached at `<webhook-waiting base>/<executionId>/<nodeId>` (the signed
 * resume URL). n8n never registers restart webhooks on activation.
 */
export const sendAndWaitWebhooks: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
];

export const SEND_AND_WAIT_TOOLTIP = '={{ $parameter.operation === "sendAndWait" ? "Execution will continue after the user\'s response" : "" }}';
