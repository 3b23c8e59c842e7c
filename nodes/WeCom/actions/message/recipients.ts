import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import type { WeComAppRecipients } from '../../../../core/src';
import { limitOf, limitText, toList } from '../../../shared/fields';

/**
 * A list of resource locators ("From List" through a listSearch method, or "By ID"), for recipients
 * on top of the older multiOptions fields, which stay as they were so saved workflows keep working.
 */
function pickerField(o: {
	displayName: string;
	name: string;
	item: string;
	what: string;
	searchListMethod: string;
	placeholder: string;
	regex: string;
	errorMessage: string;
	description: string;
}): INodeProperties {
	return {
		displayName: o.displayName,
		name: o.name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: `Add ${o.what}`,
		default: {},
		description: o.description,
		options: [
			{
				name: o.item,
				displayName: o.what,
				values: [
					{
						displayName: o.what,
						name: 'id',
						type: 'resourceLocator',
						default: { mode: 'list', value: '' },
						modes: [
							{
								displayName: 'From List',
								name: 'list',
								type: 'list',
								typeOptions: { searchListMethod: o.searchListMethod, searchable: true },
							},
							{
								displayName: 'By ID',
								name: 'id',
								type: 'string',
								placeholder: o.placeholder,
								validation: [{ type: 'regex', properties: { regex: o.regex, errorMessage: o.errorMessage } }],
							},
						],
					},
				],
			},
		],
	};
}

/** The IDs of a picker field (resource locator values, or plain strings from an expression). */
function readPicks(ctx: IExecuteFunctions, i: number, name: string, item: string): string[] {
	const picks = (ctx.getNodeParameter(name, i, {}) as IDataObject)[item];
	if (!Array.isArray(picks)) return [];
	return picks.flatMap((pick) => {
		const id = (pick as IDataObject)?.id;
		const value = id !== null && typeof id === 'object' ? (id as INodeParameterResourceLocator).value : id;
		return value === undefined || value === null ? [] : toList(String(value));
	});
}

/** Who gets the message: members, departments, tags or everyone (shared by Send and Send and Wait). */
export const recipientFields: INodeProperties[] = [
	{
		displayName: 'To User Names or IDs',
		name: 'toUsers',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: [],
		description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	{
		displayName: 'To Department Names or IDs',
		name: 'toParties',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getDepartments' },
		default: [],
		description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	pickerField({
		displayName: 'Users',
		name: 'userPicks',
		item: 'user',
		what: 'Member',
		searchListMethod: 'searchUsers',
		placeholder: 'e.g. zhangsan',
		regex: '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$',
		errorMessage: 'A WeCom user ID: letters, digits and _ - . @, starting with a letter or digit',
		description: 'Members picked from a searchable list or entered by user ID; added to To User Names or IDs',
	}),
	pickerField({
		displayName: 'Departments',
		name: 'departmentPicks',
		item: 'department',
		what: 'Department',
		searchListMethod: 'searchDepartments',
		placeholder: 'e.g. 2',
		regex: '^[0-9]+$',
		errorMessage: 'A WeCom department ID is a number',
		description: 'Departments picked from a searchable list or entered by ID; added to To Department Names or IDs',
	}),
	{
		displayName: 'To Tags',
		name: 'toTags',
		type: 'string',
		default: '',
		description: limitText(
			'wecom-app',
			'usersPerCall',
			(n) => `Tag IDs, comma-separated. Recipients are batched at WeCom's limits (${n} users, ${limitOf('wecom-app', 'partiesPerCall')} departments, ${limitOf('wecom-app', 'tagsPerCall')} tags per call).`,
		),
	},
	{
		displayName: 'To Everyone',
		name: 'toAll',
		type: 'boolean',
		default: false,
		description: 'Whether to send to everyone in the app\'s visible range (@all)',
	},
];

export function readRecipients(ctx: IExecuteFunctions, i: number): WeComAppRecipients {
	return {
		users: [...toList(ctx.getNodeParameter('toUsers', i, [])), ...readPicks(ctx, i, 'userPicks', 'user')],
		parties: [...toList(ctx.getNodeParameter('toParties', i, [])), ...readPicks(ctx, i, 'departmentPicks', 'department')],
		tags: toList(ctx.getNodeParameter('toTags', i, '')),
		all: ctx.getNodeParameter('toAll', i, false) as boolean,
	};
}
