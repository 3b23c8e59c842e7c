import type { INodeProperties } from 'n8n-workflow';

/** Event names WeCom sends to an app (MsgType "event"); others can be typed in with an expression. */
const EVENTS: Array<[name: string, value: string, description: string]> = [
	['Approval Status Change', 'sys_approval_change', 'An approval of the app changed state'],
	['Button Click (Menu)', 'click', 'A member tapped a custom menu item'],
	['Contact Change', 'change_contact', 'Members, departments or tags were changed'],
	['Enter App', 'enter_agent', 'A member opened the app'],
	['Location Report', 'LOCATION', 'A member reported a location'],
	['Menu Link Opened', 'view', 'A member opened a menu link'],
	['Subscribe', 'subscribe', 'A member followed the app'],
	['Template Card Click', 'template_card_event', 'A button or answer on an interactive card'],
	['Unsubscribe', 'unsubscribe', 'A member unfollowed the app'],
];

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Publish the workflow first, then set the Production URL above as the app\'s "Receive messages" URL in the WeCom admin console, with the same Token and EncodingAESKey as the credential. WeCom checks the URL when you save it.',
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
		displayName: 'Event Types',
		name: 'events',
		type: 'multiOptions',
		options: EVENTS.map(([name, value, description]) => ({ name, value, description })),
		default: [],
		description: 'For events (MsgType "event"): only start the workflow for these Event values. Empty: all events.',
	},
	{
		displayName: 'Passive Reply',
		name: 'passiveReply',
		type: 'string',
		default: '',
		placeholder: 'e.g. Received, we are on it',
		description:
			'Text sent back to the member in the answer to the callback, encrypted as WeCom requires (not for events). Empty: no reply. For replies that depend on the workflow, send a message with the WeCom node instead.',
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
];
