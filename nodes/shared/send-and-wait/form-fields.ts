import { NodeOperationError } from 'n8n-workflow';
import type { FormFieldsParameter, INode } from 'n8n-workflow';

/**
 * The fields of a send-and-wait response form, defined the way n8n's Form node does it (the
 * "Form Elements" list or the same objects as JSON), checked before the question is sent: a form
 * that cannot be shown must fail the node, not the person who opens the link.
 */
export type FormFieldType = 'checkbox' | 'date' | 'dropdown' | 'email' | 'hiddenField' | 'number' | 'password' | 'radio' | 'text' | 'textarea';

const SUPPORTED: readonly FormFieldType[] = ['checkbox', 'date', 'dropdown', 'email', 'hiddenField', 'number', 'password', 'radio', 'text', 'textarea'];
/** n8n field types this plain-HTML page does not offer (files need n8n's binary handling; custom HTML its sanitizer). */
const UNSUPPORTED = ['file', 'html'];
const KNOWN_KEYS = new Set([
	'fieldLabel',
	'fieldName',
	'fieldType',
	'placeholder',
	'defaultValue',
	'fieldValue',
	'fieldOptions',
	'multiselect',
	'requiredField',
	'limitSelection',
	'numberOfSelections',
	'minSelections',
	'maxSelections',
	// n8n keys without meaning on this page, accepted so a form copied from a Form node still loads.
	'formatDate',
	'elementName',
	'multipleFiles',
	'acceptFileTypes',
	'html',
]);

export interface FormField {
	/** The request field name (`field-<index>`, as n8n's form page names its inputs). */
	id: string;
	label: string;
	/** The output key: the custom field name, else the label. */
	key: string;
	type: FormFieldType;
	required: boolean;
	placeholder: string;
	defaultValue: string;
	/** dropdown, radio, checkbox */
	options: string[];
	/** dropdown with multiselect */
	multiple: boolean;
	/** checkbox selection bounds */
	minSelections?: number;
	maxSelections?: number;
	/** hiddenField */
	hiddenValue: string;
}

/** The one field of a "Free Text" response (n8n reads it as `field-0` too); output key `text`. */
export const FREE_TEXT_FIELDS: readonly FormField[] = [
	{ id: 'field-0', label: '你的回复', key: 'text', type: 'textarea', required: true, placeholder: '', defaultValue: '', options: [], multiple: false, hiddenValue: '' },
];

/** JSON text (or an array from an expression) of n8n form field objects. */
export function parseJsonFormFields(node: INode, value: unknown): FormField[] {
	let raw = value;
	if (typeof value === 'string') {
		try {
			raw = JSON.parse(value.trim() || '[]');
		} catch (error) {
			throw invalid(node, `Form Fields is not valid JSON: ${(error as Error).message}`);
		}
	}
	if (!Array.isArray(raw)) throw invalid(node, 'Form Fields must be a JSON array of field objects');
	return normalizeFormFields(node, raw as FormFieldsParameter);
}

/** The "Form Elements" list (or parsed JSON) → checked fields. A NodeOperationError names the field. */
export function normalizeFormFields(node: INode, list: FormFieldsParameter): FormField[] {
	if (list.length === 0) throw invalid(node, 'Add at least one form field');
	const fields = list.map((raw, index) => normalizeField(node, raw as Record<string, unknown>, index));
	const seen = new Set<string>();
	for (const [index, field] of fields.entries()) {
		if (seen.has(field.key)) throw invalid(node, `${fieldName(index, field.label)}: another field already uses the name "${field.key}"`);
		seen.add(field.key);
	}
	return fields;
}

function invalid(node: INode, message: string): NodeOperationError {
	return new NodeOperationError(node, message, { description: 'Check the Custom Form fields (Form Elements or Form Fields JSON).' });
}

function fieldName(index: number, label?: string): string {
	return `Form field ${index + 1}${label ? ` ("${label}")` : ''}`;
}

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

function count(node: INode, value: unknown, what: string, name: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) throw invalid(node, `${name}: ${what} must be a whole number`);
	return n;
}

function normalizeField(node: INode, raw: Record<string, unknown>, index: number): FormField {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(node, `${fieldName(index)} must be an object`);
	const label = text(raw.fieldLabel);
	const name = fieldName(index, label);
	const unknownKey = Object.keys(raw).find((key) => !KNOWN_KEYS.has(key));
	if (unknownKey) throw invalid(node, `${name}: unknown key "${unknownKey}"`);
	const type = (text(raw.fieldType) || 'text') as FormFieldType;
	if (UNSUPPORTED.includes(type)) throw invalid(node, `${name}: the field type "${type}" is not offered on the WeCom form page; use ${SUPPORTED.join(', ')}`);
	if (!SUPPORTED.includes(type)) throw invalid(node, `${name}: unknown field type "${type}"`);
	const customName = text(raw.fieldName);
	if (type === 'hiddenField' ? !customName : !label) throw invalid(node, `${name}: ${type === 'hiddenField' ? 'a hidden field needs a Field Name' : 'give it a Label'}`);
	const options = readOptions(node, raw.fieldOptions, name);
	const choosing = type === 'dropdown' || type === 'radio' || type === 'checkbox';
	if (choosing && options.length === 0) throw invalid(node, `${name}: add at least one option`);
	if (options.some((o) => o === '')) throw invalid(node, `${name}: every option needs a label`);
	if (new Set(options).size !== options.length) throw invalid(node, `${name}: options must be different from each other`);
	const field: FormField = {
		id: `field-${index}`,
		label: label || customName,
		key: customName || label,
		type,
		required: raw.requiredField === true || raw.requiredField === 'true',
		placeholder: text(raw.placeholder),
		defaultValue: text(raw.defaultValue),
		options: choosing ? options : [],
		multiple: type === 'dropdown' && (raw.multiselect === true || raw.multiselect === 'true'),
		hiddenValue: type === 'hiddenField' ? text(raw.fieldValue) || text(raw.defaultValue) : '',
	};
	if (type === 'checkbox') Object.assign(field, selectionBounds(node, raw, options.length, name));
	return field;
}

function readOptions(node: INode, value: unknown, name: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	const values = Array.isArray(value) ? value : (value as { values?: unknown }).values;
	if (!Array.isArray(values)) throw invalid(node, `${name}: Field Options needs a "values" list of { "option": "…" }`);
	return values.map((v) => text(typeof v === 'object' && v !== null ? (v as { option?: unknown }).option : v));
}

function selectionBounds(node: INode, raw: Record<string, unknown>, optionCount: number, name: string): Pick<FormField, 'minSelections' | 'maxSelections'> {
	const limit = text(raw.limitSelection) || 'unlimited';
	let bounds: Pick<FormField, 'minSelections' | 'maxSelections'> = {};
	if (limit === 'exact') {
		const n = count(node, raw.numberOfSelections, 'Number of Selections', name) ?? 1;
		bounds = { minSelections: n, maxSelections: n };
	} else if (limit === 'range') {
		bounds = { minSelections: count(node, raw.minSelections, 'Minimum Selections', name) ?? 0, maxSelections: count(node, raw.maxSelections, 'Maximum Selections', name) ?? optionCount };
	} else if (limit !== 'unlimited') {
		throw invalid(node, `${name}: Limit Selection must be exact, range or unlimited`);
	}
	if (bounds.maxSelections !== undefined && (bounds.maxSelections > optionCount || (bounds.minSelections ?? 0) > bounds.maxSelections)) {
		throw invalid(node, `${name}: the selection limits do not fit its ${optionCount} options`);
	}
	return bounds;
}
