import type { IExecuteFunctions, IHookFunctions } from 'n8n-workflow';
import { createChannel, type GewechatChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

/** One gewechat client per execution (or per webhook lifecycle call), from the credential. */
export async function gewechatChannel(this: IExecuteFunctions | IHookFunctions): Promise<GewechatChannel> {
	const credentials = await this.getCredentials('gewechatApi');
	return createChannel(
		{
			type: 'gewechat',
			baseUrl: credentials.baseUrl as string,
			token: credentials.token as string,
			appId: credentials.appId as string,
		},
		n8nChannelDeps(this.helpers),
	);
}
