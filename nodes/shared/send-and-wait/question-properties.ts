import type { INodeProperties } from 'n8n-workflow';
import { customFormProperties, formOptions } from './form-properties';
import { limitWaitTimeOption } from './wait-time';

/**
 * The question of a "Send and Wait for Response" operation, shared by the WeCom app and robot
 * nodes: Subject, Message, Response Type (n8n's approval / freeText / customForm, plus our choice
 * from options), the approval and option labels, the custom form, and the Options collection
 * (one per response-type family, as n8n shows them).
 */
export interface QuestionTexts {
	subject: string;
	message: string;
	choices?: string;
	/** What the link button of the form types says (channel limits). */
	messageButtonLabel: string;
}

const responseTypes = (...responseType: string[]) => ({ show: { responseType } });

export function questionProperties(texts: QuestionTexts): INodeProperties[] {
	return [
		{ displayName: 'Subject', name: 'subject', type: 'string', default: '', description: texts.subject },
		{ displayName: 'Message', name: 'message', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, description: texts.message },
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			options: [
				{ name: 'Approval', value: 'approval', description: 'Approve (and optionally decline) buttons' },
				{ name: 'Choice From Options', value: 'choice', description: 'One button per option' },
				{ name: 'Custom Form', value: 'customForm', description: 'A link to a form page with your fields' },
				{ name: 'Free Text', value: 'freeText', description: 'A link to a form page with one text box' },
			],
			default: 'approval',
		},
		{
			displayName: 'Approval Options',
			name: 'approvalOptions',
			type: 'fixedCollection',
			placeholder: 'Add option',
			default: {},
			displayOptions: responseTypes('approval'),
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
			displayOptions: responseTypes('choice'),
			...(texts.choices ? { description: texts.choices } : {}),
			options: [{ displayName: 'Option', name: 'values', values: [{ displayName: 'Label', name: 'label', type: 'string', default: '' }] }],
		},
		...customFormProperties.map((p) => ({ ...p, displayOptions: { show: { ...p.displayOptions?.show, responseType: ['customForm'] } } })),
	];
}

/** The Options collection: `answerOptions` for approval/choice, n8n's form options for freeText/customForm; both limit the wait. */
export function questionOptions(texts: QuestionTexts, answerOptions: INodeProperties[] = []): INodeProperties[] {
	return [
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: responseTypes('approval', 'choice'),
			options: [...answerOptions, limitWaitTimeOption],
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: responseTypes('freeText', 'customForm'),
			options: [...formOptions(texts.messageButtonLabel), limitWaitTimeOption],
		},
	];
}
