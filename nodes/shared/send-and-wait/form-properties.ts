import type { INodeProperties } from 'n8n-workflow';

/**
 * The n8n parameters of the form response types ("Free Text", "Custom Form"), named as in n8n's
 * own send-and-wait nodes: Define Form (fields or JSON), Form Elements / Form Fields, and the
 * options Message Button Label, Response Form Title, Response Form Description and Response Form
 * Button Label. The caller adds its own displayOptions.
 */
const JSON_EXAMPLE = `[
  { "fieldLabel": "处理结果", "fieldType": "dropdown", "fieldOptions": { "values": [{ "option": "已修复" }, { "option": "误报" }] }, "requiredField": true },
  { "fieldLabel": "说明", "fieldType": "textarea" },
  { "fieldLabel": "耗时（分钟）", "fieldName": "minutes", "fieldType": "number" }
]`;

const types = (...fieldType: string[]) => ({ show: { fieldType } });

const fieldValues: INodeProperties[] = [
	{
		displayName: 'Label',
		name: 'fieldLabel',
		type: 'string',
		default: '',
		placeholder: 'e.g. What is your name?',
		description: 'Shown above the field; also the output key unless Field Name is set',
		displayOptions: { hide: { fieldType: ['hiddenField'] } },
	},
	{
		displayName: 'Element Type',
		name: 'fieldType',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Checkboxes', value: 'checkbox' },
			{ name: 'Date', value: 'date' },
			{ name: 'Dropdown', value: 'dropdown' },
			{ name: 'Email', value: 'email' },
			{ name: 'Hidden Field', value: 'hiddenField' },
			{ name: 'Number', value: 'number' },
			{ name: 'Password', value: 'password' },
			{ name: 'Radio Buttons', value: 'radio' },
			{ name: 'Text Input', value: 'text' },
			{ name: 'Textarea', value: 'textarea' },
		],
	},
	{
		displayName: 'Field Name',
		name: 'fieldName',
		type: 'string',
		default: '',
		description: 'The output key (default: the label); required for hidden fields',
	},
	{
		displayName: 'Placeholder',
		name: 'placeholder',
		type: 'string',
		default: '',
		displayOptions: types('text', 'textarea', 'number', 'email', 'password'),
	},
	{
		displayName: 'Default Value',
		name: 'defaultValue',
		type: 'string',
		default: '',
		description: 'Pre-filled value; dates as YYYY-MM-DD; options by their label (checkboxes: comma-separated)',
		displayOptions: types('text', 'textarea', 'number', 'email', 'date', 'dropdown', 'radio', 'checkbox'),
	},
	{
		displayName: 'Field Value',
		name: 'fieldValue',
		type: 'string',
		default: '',
		description: 'The value the hidden field outputs',
		displayOptions: types('hiddenField'),
	},
	{
		displayName: 'Field Options',
		name: 'fieldOptions',
		placeholder: 'Add Field Option',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: { values: [{ option: '' }] },
		displayOptions: types('dropdown', 'radio', 'checkbox'),
		options: [{ displayName: 'Values', name: 'values', values: [{ displayName: 'Option', name: 'option', type: 'string', default: '' }] }],
	},
	{
		displayName: 'Multiple Choice',
		name: 'multiselect',
		type: 'boolean',
		default: false,
		description: 'Whether several options can be picked from the dropdown',
		displayOptions: types('dropdown'),
	},
	{
		displayName: 'Limit Selection',
		name: 'limitSelection',
		type: 'options',
		default: 'unlimited',
		options: [
			{ name: 'Exact Number', value: 'exact' },
			{ name: 'Range', value: 'range' },
			{ name: 'Unlimited', value: 'unlimited' },
		],
		displayOptions: types('checkbox'),
	},
	{
		displayName: 'Number of Selections',
		name: 'numberOfSelections',
		type: 'number',
		default: 1,
		typeOptions: { numberPrecision: 0, minValue: 1 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['exact'] } },
	},
	{
		displayName: 'Minimum Selections',
		name: 'minSelections',
		type: 'number',
		default: 0,
		typeOptions: { numberPrecision: 0, minValue: 0 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['range'] } },
	},
	{
		displayName: 'Maximum Selections',
		name: 'maxSelections',
		type: 'number',
		default: 1,
		typeOptions: { numberPrecision: 0, minValue: 1 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['range'] } },
	},
	{
		displayName: 'Required Field',
		name: 'requiredField',
		type: 'boolean',
		default: false,
		description: 'Whether the form can only be submitted with this field filled in',
		displayOptions: { hide: { fieldType: ['hiddenField'] } },
	},
];

/** Define Form + the field list or its JSON, shown for "Custom Form". */
export const customFormProperties: INodeProperties[] = [
	{
		displayName: 'Define Form',
		name: 'defineForm',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
	},
	{
		displayName: 'Form Fields',
		name: 'jsonOutput',
		type: 'json',
		typeOptions: { rows: 5 },
		default: JSON_EXAMPLE,
		description:
			"An array of n8n Form fields: fieldLabel, fieldName, fieldType (checkbox, date, dropdown, email, hiddenField, number, password, radio, text, textarea), placeholder, defaultValue, fieldValue, fieldOptions, multiselect, requiredField, limitSelection, numberOfSelections, minSelections, maxSelections",
		displayOptions: { show: { defineForm: ['json'] } },
	},
	{
		displayName: 'Form Elements',
		name: 'formFields',
		placeholder: 'Add Form Element',
		type: 'fixedCollection',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { defineForm: ['fields'] } },
		options: [{ displayName: 'Values', name: 'values', values: fieldValues }],
	},
];

/** The options of the form response types (inside the operation's Options collection). */
export function formOptions(messageButtonDescription: string): INodeProperties[] {
	return [
		{ displayName: 'Message Button Label', name: 'messageButtonLabel', type: 'string', default: '去回复', description: messageButtonDescription },
		{
			displayName: 'Response Form Title',
			name: 'responseFormTitle',
			type: 'string',
			default: '',
			description: 'Title of the form page the link opens (default: the subject)',
		},
		{
			displayName: 'Response Form Description',
			name: 'responseFormDescription',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Shown under the title as plain text (default: the message)',
		},
		{ displayName: 'Response Form Button Label', name: 'responseFormButtonLabel', type: 'string', default: '提交', description: 'The submit button of the form page' },
	];
}
