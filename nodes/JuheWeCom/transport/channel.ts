import type { IExecuteFunctions, IHookFunctions } from 'n8n-workflow';
import { createChannel, type WeComHookChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

export async function juheChannel(this: IExecuteFunctions | IHookFunctions): Promise<WeComHookChannel> {
	const credentials = await this.getCredentials('juheWeComApi');
	const gateway = credentials.mode === 'gateway';
	return createChannel(
		{
			type: 'wecom-hook',
			mode: gateway ? 'gateway' : 'direct',
			baseUrl: (credentials.baseUrl as string) || undefined,
			guid: credentials.guid as string,
			appKey: gateway ? (credentials.appKey as string) : undefined,
			appSecret: gateway ? (credentials.appSecret as string) : undefined,
		},
		n8nChannelDeps(this.helpers),
	);
}
