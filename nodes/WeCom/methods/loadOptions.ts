import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { toNodeError } from '../../shared/node-errors';
import { weComChannel } from '../transport/channel';
import { visibleUsers } from './directory';

/** Departments in the app's visible range. */
export async function getDepartments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const departments = await (await weComChannel.call(this)).listDepartments();
		return departments.map((d) => ({ name: `${d.name} (${d.id})`, value: String(d.id) }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

/** Members of every visible department (each user once). */
export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const users = await visibleUsers.call(this);
		return [...users].map(([userId, name]) => ({ name: `${name} (${userId})`, value: userId }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}
