import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { DEFAULT_TIME_ZONE, groupAlerts, groupKeyOf, parseAlerts, renderAlertGroup, type Alert, type AlertLanguage, type Notification } from '../../core/src';
import { toList } from './fields';
import { errorItemJson, toNodeError } from './node-errors';

/**
 * "Alert payload" input mode of the send operations: the items are Alertmanager / Grafana (or plain
 * JSON) webhook bodies, parsed, grouped and rendered by the core's alert module in its default
 * templates. Items of one execution whose alerts fall into one group become ONE message.
 */
export const ALERT_MODE = 'alert';

export const inputModeField: INodeProperties = {
	displayName: 'Input',
	name: 'inputMode',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Message Fields', value: 'fields', description: 'Write the message in the fields below' },
		{
			name: 'Alert Payload (Alertmanager / Grafana)',
			value: ALERT_MODE,
			description: 'Each item is an alert webhook body (e.g. from a Webhook node), sent in the default alert template',
		},
	],
	default: 'fields',
};

export const alertFields: INodeProperties[] = [
	{
		displayName: 'Payload Field',
		name: 'alertPayloadField',
		type: 'string',
		default: 'body',
		description: 'Item field holding the webhook body (the Webhook node puts it in "body"). Empty: the whole item.',
		displayOptions: { show: { inputMode: [ALERT_MODE] } },
	},
	{
		displayName: 'Alert Options',
		name: 'alertOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { inputMode: [ALERT_MODE] } },
		options: [
			{
				displayName: 'Group By Labels',
				name: 'groupBy',
				type: 'string',
				default: 'alertname',
				description: 'Alerts with equal values of these labels become one message (comma-separated; "..." for every label)',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'options',
				options: [
					{ name: 'Chinese', value: 'zh' },
					{ name: 'English', value: 'en' },
				],
				default: 'zh',
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: DEFAULT_TIME_ZONE,
				description: 'IANA time zone of the times shown, e.g. Asia/Shanghai or Europe/Berlin',
			},
		],
	},
];

/** The message fields of a send operation, hidden in alert mode (the template writes the message). */
export function messageFieldsOnly(properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, hide: { ...p.displayOptions?.hide, inputMode: [ALERT_MODE] } } }));
}

export function isAlertInput(ctx: IExecuteFunctions): boolean {
	return ctx.getNodeParameter('operation', 0, '') === 'send' && ctx.getNodeParameter('inputMode', 0, 'fields') === ALERT_MODE;
}

/** One group's message and the input items it came from (the first one supplies recipients). */
export interface AlertMessage {
	notification: Notification<unknown, Record<string, unknown>>;
	items: number[];
}

/**
 * Parses every item, groups all alerts of the execution and sends one message per group with
 * `send`. Output: one item per group (paired with all its input items); with "continue on fail"
 * an unreadable item becomes an error item, otherwise it stops the node naming the field.
 */
export async function sendAlertGroups(
	ctx: IExecuteFunctions,
	channel: string,
	send: (message: AlertMessage) => Promise<IDataObject>,
): Promise<INodeExecutionData[][]> {
	const options = ctx.getNodeParameter('alertOptions', 0, {}) as IDataObject;
	const groupBy = toList(options.groupBy ?? 'alertname');
	const field = (ctx.getNodeParameter('alertPayloadField', 0, 'body') as string).trim();
	const out: INodeExecutionData[] = [];
	const alerts: Alert[] = [];
	const sources = new Map<string, Set<number>>();
	let truncatedAlerts = 0;
	ctx.getInputData().forEach((item, index) => {
		try {
			const body = field ? item.json[field] : item.json;
			if (body === undefined) throw new Error(`The item has no field "${field}" (set Payload Field to where the webhook body is)`);
			const batch = parseAlerts(body);
			truncatedAlerts += batch.truncatedAlerts ?? 0;
			for (const alert of batch.alerts) {
				alerts.push(alert);
				const key = groupKeyOf(alert, groupBy);
				sources.set(key, (sources.get(key) ?? new Set()).add(index));
			}
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error, index);
			out.push({ json: errorItemJson(error), pairedItem: { item: index } });
		}
	});
	const view = { channel, language: (options.language as AlertLanguage) || 'zh', timeZone: (options.timeZone as string) || DEFAULT_TIME_ZONE, truncatedAlerts };
	for (const group of groupAlerts(alerts, groupBy)) {
		const items = [...(sources.get(group.key) ?? [])].sort((a, b) => a - b);
		const pairedItem = items.map((item) => ({ item }));
		try {
			const json = await send({ notification: renderAlertGroup(group, view), items });
			out.push({ json: { ...json, alertGroup: group.labels, alerts: group.alerts.length }, pairedItem });
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error, items[0]);
			out.push({ json: { ...errorItemJson(error), alertGroup: group.labels }, pairedItem });
		}
	}
	return [out];
}
