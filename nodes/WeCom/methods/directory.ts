import type { WeComAppChannel } from '../../../core/src';

/** Members of every visible department, each user once (userId → name), through the core channel. */
export async function visibleUsers(channel: WeComAppChannel): Promise<Map<string, string>> {
	const seen = new Map<string, string>();
	for (const department of await channel.listDepartments()) {
		for (const user of await channel.listUsers(department.id)) seen.set(user.userId, user.name);
	}
	return seen;
}
