import type { IHookFunctions } from 'n8n-workflow';

/**
 * Lifecycle for upstreams whose callback URL is entered by hand in their admin console (WeCom,
 * WxPusher, JuHe): nothing to register remotely, so activation always succeeds.
 */
export const alwaysRegistered = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async create(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		return true;
	},
};
