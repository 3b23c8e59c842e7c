import type { IExecuteFunctions } from 'n8n-workflow';
import { createChannel, type WxPusherChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

/** One WxPusher client per execution, from the credential. */
export async function wxPusherChannel(this: IExecuteFunctions): Promise<WxPusherChannel> {
	const credentials = await this.getCredentials('wxPusherApi');
	const useSpt = credentials.authType === 'spt';
	return createChannel(
		{
			type: 'wxpusher',
			baseUrl: (credentials.baseUrl as string) || undefined,
			appToken: useSpt ? undefined : (credentials.appToken as string),
			spt: useSpt ? (credentials.spt as string) : undefined,
		},
		n8nChannelDeps(this.helpers),
	);
}
