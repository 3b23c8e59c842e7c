import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import type { WeComAppRecipients } from '../../../../core/src';
import { limitOf, toList } from '../../../shared/fields';

/**
 * Recipient fields of the WeCom node. Version 2 has one set: a list of resource locators each for
 * members, departments and tags ("From List" through a listSearch method, or "By ID"). Version 1
 * keeps its older fields (dropdowns plus pickers, tags as text) so saved workflows open unchanged.
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
	versions: number[];
}): INodeProperties {
	return {
		displayName: o.displayName,
		name: o.name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: `Add ${o.what}`,
		default: {},
		description: o.description,
		displayOptions: { show: { '@version': o.versions } },
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

const batching = `Recipients are batched at WeCom's limits (${limitOf('wecom-app', 'usersPerCall')} users, ${limitOf('wecom-app', 'partiesPerCall')} departments, ${limitOf('wecom-app', 'tagsPerCall')} tags per call)`;

const users = (versions: number[], description: string) =>
	pickerField({
		displayName: 'Users',
		name: 'userPicks',
		item: 'user',
		what: 'Member',
		searchListMethod: 'searchUsers',
		placeholder: 'e.g. zhangsan',
		regex: '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$',
		errorMessage: 'A WeCom user ID: letters, digits and _ - . @, starting with a letter or digit',
		description,
		versions,
	});

const departments = (versions: number[], description: string) =>
	pickerField({
		displayName: 'Departments',
		name: 'departmentPicks',
		item: 'department',
		what: 'Department',
		searchListMethod: 'searchDepartments',
		placeholder: 'e.g. 2',
		regex: '^[0-9]+$',
		errorMessage: 'A WeCom department ID is a number',
		description,
		versions,
	});


/** Version 1: the fields as they were (both sets are read and merged). */
const v1Fields: INodeProperties[] = [
	{
		displayName: 'To User Names or IDs',
		name: 'toUsers',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: [],
		description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'To Department Names or IDs',
		name: 'toParties',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getDepartments' },
		default: [],
		description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { '@version': [1] } },
	},
	users([1], 'Members picked from a searchable list or entered by user ID; added to To User Names or IDs'),
	departments([1], 'Departments picked from a searchable list or entered by ID; added to To Department Names or IDs'),
	{
		displayName: 'To Tags',
		name: 'toTags',
		type: 'string',
		default: '',
		description: `Tag IDs, comma-separated. ${batching}.`,
		displayOptions: { show: { '@version': [1] } },
	},
];

/** Version 2: one set of recipient fields. */
const v2Fields: INodeProperties[] = [
	users([2], `Members, picked from the app's visible range or entered by user ID. ${batching}.`),
	departments([2], 'Departments, picked from the list or entered by department ID (their members receive it)'),
	pickerField({
		displayName: 'Tags',
		name: 'tagPicks',
		item: 'tag',
		what: 'Tag',
		searchListMethod: 'searchTags',
		placeholder: 'e.g. 1',
		regex: '^[0-9]+$',
		errorMessage: 'A WeCom tag ID is a number',
		description: 'Tags, picked from the list or entered by tag ID (their members receive it)',
		versions: [2],
	}),
];

export const recipientFields: INodeProperties[] = [
	...v1Fields,
	...v2Fields,
	{
		displayName: 'To Everyone',
		name: 'toAll',
		type: 'boolean',
		default: false,
		description: "Whether to send to everyone in the app's visible range (@all)",
	},
];

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

/** Every recipient field of either version (fields a version does not show read as empty). */
export function readRecipients(ctx: IExecuteFunctions, i: number): WeComAppRecipients {
	return {
		users: [...toList(ctx.getNodeParameter('toUsers', i, [])), ...readPicks(ctx, i, 'userPicks', 'user')],
		parties: [...toList(ctx.getNodeParameter('toParties', i, [])), ...readPicks(ctx, i, 'departmentPicks', 'department')],
		tags: [...toList(ctx.getNodeParameter('toTags', i, '')), ...readPicks(ctx, i, 'tagPicks', 'tag')],
		all: ctx.getNodeParameter('toAll', i, false) as boolean,
	};
}
