import type { IExecuteFunctions } from 'n8n-workflow';
import { createChannel, type WeComBotChannel } from '../../../core/src';
import { n8nChannelDeps } from '../../shared/channel-deps';

/** One robot client per execution (pacing at 20 messages per minute is per robot key). */
export async function weComRobotChannel(this: IExecuteFunctions): Promise<WeComBotChannel> {
	const credentials = await this.getCredentials('weComRobotApi');
	return createChannel(
		{ type: 'wecom-bot', baseUrl: (credentials.baseUrl as string) || undefined, key: credentials.key as string },
		n8nChannelDeps(this.helpers),
	);
}
