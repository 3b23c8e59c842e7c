import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { secretKeyHash } from '../../../core/src';
import { weComChannel } from '../transport/channel';

/**
 * How long a listed directory serves the user pickers. n8n asks again on every change of the
 * search filter; listing a large company takes one call per department, so typing must not
 * repeat that. A user added in WeCom shows up after this long at most.
 */
const DIRECTORY_TTL_MS = 30_000;
const MAX_DIRECTORIES = 50;
const directories = new Map<string, { at: number; users: Promise<Map<string, string>> }>();

/** Members of every visible department (userId → name), listed through the core and cached per credential. */
export async function visibleUsers(this: IExecuteFunctions | ILoadOptionsFunctions): Promise<Map<string, string>> {
	const credentials = await this.getCredentials('weComAppApi');
	const key = secretKeyHash([credentials.baseUrl, credentials.corpId, credentials.agentId, credentials.secret].map(String).join('\n'), 24);
	const now = Date.now();
	const cached = directories.get(key);
	if (cached && now - cached.at < DIRECTORY_TTL_MS) return cached.users;
	const channel = await weComChannel.call(this);
	const users = channel.listVisibleUsers().then((list) => new Map(list.map((u) => [u.userId, u.name])));
	if (directories.size >= MAX_DIRECTORIES) directories.clear();
	directories.set(key, { at: now, users });
	// A failed listing is not kept: the next search tries again.
	users.catch(() => {
		if (directories.get(key)?.users === users) directories.delete(key);
	});
	return users;
}
