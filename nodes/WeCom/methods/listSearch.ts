import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { toNodeError } from '../../shared/node-errors';
import { weComChannel } from '../transport/channel';
import { visibleUsers } from './directory';

/** Case-insensitive "contains" on the name or the ID; an empty filter keeps everything. */
function matches(filter: string | undefined, ...fields: string[]): boolean {
	const needle = (filter ?? '').trim().toLowerCase();
	return needle === '' || fields.some((field) => field.toLowerCase().includes(needle));
}

const byName = (a: INodeListSearchItems, b: INodeListSearchItems) => a.name.localeCompare(b.name);

/** "From list" mode of the user pickers: members of the visible departments, searchable by name or user ID. */
export async function searchUsers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const users = await visibleUsers.call(this);
		const results = [...users]
			.filter(([userId, name]) => matches(filter, name, userId))
			.map(([userId, name]) => ({ name: `${name} (${userId})`, value: userId }))
			.sort(byName);
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

/** "From list" mode of the department pickers: the visible departments, searchable by name or department ID. */
export async function searchDepartments(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const departments = await (await weComChannel.call(this)).listDepartments();
		const results = departments
			.filter((d) => matches(filter, d.name, String(d.id)))
			.map((d) => ({ name: `${d.name} (${d.id})`, value: String(d.id) }))
			.sort(byName);
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

/** "From list" mode of the tag pickers: the corp's tags the app can see, searchable by name or tag ID. */
export async function searchTags(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const tags = await (await weComChannel.call(this)).listTags();
		const results = tags
			.filter((t) => matches(filter, t.name, String(t.id)))
			.map((t) => ({ name: `${t.name} (${t.id})`, value: String(t.id) }))
			.sort(byName);
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}
