import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { createChannel, type WeComAppChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

/** One WeCom app client per execution: the access token is fetched once for all items. */
export async function weComChannel(this: IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions): Promise<WeComAppChannel> {
	const credentials = await this.getCredentials('weComAppApi');
	return createChannel(
		{
			type: 'wecom-app',
			baseUrl: (credentials.baseUrl as string) || undefined,
			corpId: credentials.corpId as string,
			corpSecret: credentials.secret as string,
			agentId: credentials.agentId as number | string,
		},
		n8nChannelDeps(this.helpers),
	);
}
