import type { IHookFunctions } from 'n8n-workflow';
import { toNodeError } from './node-errors';

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

/**
 * Lifecycle for upstreams that take a callback URL through their API but can neither report nor
 * clear it: the registered URL is remembered in the node's static data under `staticKey`, and
 * `register` runs when it differs. With the `toggle` parameter off, the URL is entered by hand.
 */
export function rememberedUrlWebhook(options: {
	toggle: string;
	staticKey: string;
	register: (ctx: IHookFunctions, url: string) => Promise<unknown>;
}) {
	const { toggle, staticKey, register } = options;
	return {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			if (!this.getNodeParameter(toggle, true)) return true;
			return this.getWorkflowStaticData('node')[staticKey] === this.getNodeWebhookUrl('default');
		},
		async create(this: IHookFunctions): Promise<boolean> {
			const url = this.getNodeWebhookUrl('default') as string;
			try {
				await register(this, url);
			} catch (error) {
				throw toNodeError(this.getNode(), error);
			}
			this.getWorkflowStaticData('node')[staticKey] = url;
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			delete this.getWorkflowStaticData('node')[staticKey];
			return true;
		},
	};
}
