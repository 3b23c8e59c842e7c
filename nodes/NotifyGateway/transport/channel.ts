import type { IExecuteFunctions } from 'n8n-workflow';
import { createChannel, type GatewayChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

export async function gatewayChannel(this: IExecuteFunctions): Promise<GatewayChannel> {
	const credentials = await this.getCredentials('notifyGatewayApi');
	return createChannel(
		{
			type: 'gateway',
			baseUrl: credentials.baseUrl as string,
			code: (credentials.code as string) || undefined,
			apiKey: (credentials.apiKey as string) || undefined,
		},
		n8nChannelDeps(this.helpers),
	);
}
