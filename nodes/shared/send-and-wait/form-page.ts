import { escapeHtml } from '../../../core/src';
import type { FormField } from './form-fields';
import type { FormValues } from './form-submission';

/**
 * The response form a send-and-wait link opens: one self-contained HTML page (no scripts, no
 * external assets, Chinese-first texts) that reads well in WeCom's and WeChat's in-app browsers.
 * It posts back to its own URL (the signed resume URL, query included, so n8n checks the same
 * signature again) as multipart/form-data, the encoding n8n requires for form submissions.
 * Every user-provided text is escaped.
 */
export interface FormPage {
	title: string;
	description: string;
	buttonLabel: string;
	fields: readonly FormField[];
	/** Values to show again, and per-field errors (a refused submission). */
	values?: FormValues;
	errors?: Record<string, string>;
}

const STYLE =
	'*{box-sizing:border-box}body{margin:0;background:#f2f3f5;color:#1f2329;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif}' +
	'main{max-width:560px;margin:0 auto;padding:16px}.card{background:#fff;border-radius:8px;padding:20px 16px}h1{font-size:20px;margin:0 0 8px}' +
	'.desc{color:#646a73;margin:0 0 16px;white-space:pre-wrap;word-break:break-word}.field{margin:0 0 16px;border:0;padding:0}' +
	'label.name,legend{display:block;font-weight:600;margin:0 0 6px;padding:0}.req{color:#d83931;margin-left:2px}' +
	'input[type=text],input[type=email],input[type=number],input[type=password],input[type=date],select,textarea{width:100%;font:inherit;padding:10px;border:1px solid #d0d3d6;border-radius:6px;background:#fff}' +
	'textarea{min-height:120px;resize:vertical}.choice{display:flex;align-items:center;gap:8px;padding:6px 0}.choice input{width:20px;height:20px;margin:0}' +
	'.err{color:#d83931;font-size:14px;margin:6px 0 0}.summary{background:#fdecea;color:#a1271e;border-radius:6px;padding:10px;margin:0 0 16px}' +
	'button{width:100%;font:inherit;font-weight:600;color:#fff;background:#1476ff;border:0;border-radius:6px;padding:12px}.ok{text-align:center;padding:48px 16px}';

function page(title: string, body: string): string {
	return (
		'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
		`<body><main>${body}</main></body></html>`
	);
}

function lines(text: string): string {
	return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

function attr(name: string, value: string): string {
	return value === '' ? '' : ` ${name}="${escapeHtml(value)}"`;
}

export function renderFormPage(form: FormPage): string {
	const errors = form.errors ?? {};
	const count = Object.keys(errors).length;
	const title = form.title || '请回复';
	const body =
		'<div class="card">' +
		`<h1>${escapeHtml(title)}</h1>` +
		(form.description ? `<p class="desc">${lines(form.description)}</p>` : '') +
		'<form method="post" enctype="multipart/form-data" accept-charset="utf-8">' +
		(count > 0 ? `<p class="summary" role="alert">有 ${count} 项需要修改后再提交（please correct ${count} field${count > 1 ? 's' : ''}）</p>` : '') +
		form.fields.map((field) => renderField(field, form.values?.[field.id], errors[field.id])).join('') +
		`<button type="submit">${escapeHtml(form.buttonLabel || '提交')}</button>` +
		'</form></div>';
	return page(title, body);
}

/** Shown once an answer resumed the workflow (a submitted form: 已提交，谢谢; an answer link: 已记录你的回复). */
export function renderDonePage(heading = '已提交，谢谢'): string {
	return page(heading, `<div class="card ok"><h1>${escapeHtml(heading)}</h1><p class="desc">Your response has been recorded. 可以关闭此页面。</p></div>`);
}

function renderField(field: FormField, shown: string[] | undefined, error: string | undefined): string {
	if (field.type === 'hiddenField') return `<input type="hidden" name="${field.id}"${attr('value', field.hiddenValue)}>`;
	const values = shown ?? (field.defaultValue === '' ? [] : field.type === 'checkbox' ? field.defaultValue.split(',').map((v) => v.trim()) : [field.defaultValue]);
	const mark = field.required ? '<span class="req" aria-hidden="true">*</span>' : '';
	const errorHtml = error ? `<p class="err" id="${field.id}-error">${escapeHtml(error)}</p>` : '';
	const described = error ? ` aria-invalid="true" aria-describedby="${field.id}-error"` : '';
	if (field.type === 'radio' || field.type === 'checkbox') {
		const choices = field.options
			.map((option, i) => {
				const checked = values.includes(option) ? ' checked' : '';
				const required = field.type === 'radio' && field.required && i === 0 ? ' required' : '';
				return `<label class="choice"><input type="${field.type}" name="${field.id}"${attr('value', option)}${checked}${required}>${escapeHtml(option)}</label>`;
			})
			.join('');
		return `<fieldset class="field"${described}><legend>${escapeHtml(field.label)}${mark}</legend>${choices}${errorHtml}</fieldset>`;
	}
	const label = `<label class="name" for="${field.id}">${escapeHtml(field.label)}${mark}</label>`;
	const required = field.required ? ' required' : '';
	let control: string;
	if (field.type === 'dropdown') {
		const empty = field.multiple ? '' : `<option value="">请选择</option>`;
		const options = field.options.map((option) => `<option${attr('value', option)}${values.includes(option) ? ' selected' : ''}>${escapeHtml(option)}</option>`).join('');
		control = `<select id="${field.id}" name="${field.id}"${field.multiple ? ' multiple' : ''}${required}${described}>${empty}${options}</select>`;
	} else if (field.type === 'textarea') {
		control = `<textarea id="${field.id}" name="${field.id}"${attr('placeholder', field.placeholder)}${required}${described}>${escapeHtml(values[0] ?? '')}</textarea>`;
	} else {
		// A refused submission does not echo a password back into the page.
		const value = field.type === 'password' ? '' : (values[0] ?? '');
		const extra = field.type === 'number' ? ' inputmode="decimal" step="any"' : '';
		control = `<input type="${field.type}" id="${field.id}" name="${field.id}"${attr('value', value)}${attr('placeholder', field.placeholder)}${extra}${required}${described}>`;
	}
	return `<div class="field">${label}${control}${errorHtml}</div>`;
}
