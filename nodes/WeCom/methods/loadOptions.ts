import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { toNodeError } from '../../shared/node-errors';
import { weComChannel } from '../transport/channel';

/** Departments in the app's visible range. */
export async function getDepartments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const channel = await weComChannel.call(this);
		const departments = await channel.listDepartments();
		return departments.map((d) => ({ name: `${d.name} (${d.id})`, value: String(d.id) }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

/** Members of every visible department (each user once). */
export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	try {
		const channel = await weComChannel.call(this);
		const departments = await channel.listDepartments();
		const seen = new Map<string, string>();
		for (const department of departments) {
			for (const user of await channel.listUsers(department.id)) seen.set(user.userId, user.name);
		}
		return [...seen].map(([userId, name]) => ({ name: `${name} (${userId})`, value: userId }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}
