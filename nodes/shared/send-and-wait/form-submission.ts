import type { IDataObject } from 'n8n-workflow';
import type { FormField } from './form-fields';

/** What was typed, per field id (re-shown when the submission is refused). */
export type FormValues = Record<string, string[]>;

export type Submission =
	| { ok: true; data: IDataObject }
	| { ok: false; values: FormValues; errors: Record<string, string> };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The posted form (n8n's multipart parser gives `{ data: { 'field-0': … }, files }`; url-encoded and
 * JSON bodies arrive flat) → the output values keyed like n8n's forms: the custom field name, else
 * the label. Checked again here, since a browser's own checks are only a convenience.
 */
export function readSubmission(fields: readonly FormField[], body: unknown): Submission {
	const posted = postedValues(body);
	const values: FormValues = {};
	const errors: Record<string, string> = {};
	const data: IDataObject = {};
	for (const field of fields) {
		const given = (posted[field.id] ?? []).map((v) => (field.type === 'textarea' || field.type === 'password' ? v : v.trim()));
		const filled = given.filter((v) => v.trim() !== '');
		values[field.id] = given;
		if (field.type === 'hiddenField') {
			data[field.key] = field.hiddenValue;
			continue;
		}
		const error = problem(field, filled);
		if (error) {
			errors[field.id] = error;
			continue;
		}
		data[field.key] = outputValue(field, filled);
	}
	return Object.keys(errors).length > 0 ? { ok: false, values, errors } : { ok: true, data };
}

function postedValues(body: unknown): Record<string, string[]> {
	const source = body && typeof body === 'object' ? (((body as IDataObject).data as IDataObject | undefined) ?? (body as IDataObject)) : {};
	const out: Record<string, string[]> = {};
	if (!source || typeof source !== 'object') return out;
	for (const [key, value] of Object.entries(source)) {
		const list = Array.isArray(value) ? value : [value];
		out[key] = list.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
	}
	return out;
}

function problem(field: FormField, filled: string[]): string | undefined {
	const choosing = field.options.length > 0;
	if (filled.length === 0) return field.required ? '请填写此项（required）' : undefined;
	if (!choosing && !field.multiple && filled.length > 1) return '只能填写一个值（one value only）';
	if (field.type === 'number' && !Number.isFinite(Number(filled[0]))) return '请输入数字（a number）';
	if (field.type === 'email' && !EMAIL.test(filled[0])) return '请输入有效的邮箱地址（an email address）';
	if (field.type === 'date' && !DATE.test(filled[0])) return '请选择日期（a date, YYYY-MM-DD）';
	if (choosing) {
		if (filled.some((v) => !field.options.includes(v))) return '请从选项中选择（one of the options）';
		if (field.type !== 'checkbox' && !field.multiple && filled.length > 1) return '只能选择一项（one option only）';
		if (new Set(filled).size !== filled.length) return '选项重复（an option twice）';
		if (field.minSelections !== undefined && filled.length < field.minSelections) return `请至少选择 ${field.minSelections} 项（at least ${field.minSelections}）`;
		if (field.maxSelections !== undefined && filled.length > field.maxSelections) return `最多选择 ${field.maxSelections} 项（at most ${field.maxSelections}）`;
	}
	return undefined;
}

function outputValue(field: FormField, filled: string[]): string | number | string[] | null {
	if (field.type === 'checkbox' || field.multiple) return filled;
	if (filled.length === 0) return null;
	if (field.type === 'number') return Number(filled[0]);
	return filled[0];
}
