import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

const errcodeRule = (value: number, message: string) => ({
	type: 'responseSuccessBody' as const,
	properties: { key: 'errcode', value, message },
});

export class WeComRobotApi implements ICredentialType {
	name = 'weComRobotApi';

	displayName = 'WeCom Robot API';

	icon: Icon = { light: 'file:../icons/wecom-robot.svg', dark: 'file:../icons/wecom-robot.dark.svg' };

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/91770';

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the webhook key alone authorises posting to the group
		{
			displayName: 'Webhook Key or URL',
			name: 'key',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The key from the robot webhook URL, or the whole URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://qyapi.weixin.qq.com',
			description: 'Advanced: the WeCom API origin, used when only the key is given (e.g. a reverse proxy)',
		},
	];

	// An empty text is rejected with 44004 before anything is posted; a bad key gives 93000.
	test: ICredentialTestRequest = {
		request: {
			url: '={{$credentials.key.startsWith("http") ? $credentials.key : $credentials.baseUrl.replace(/\\/+$/, "") + "/cgi-bin/webhook/send?key=" + encodeURIComponent($credentials.key)}}',
			method: 'POST',
			body: { msgtype: 'text', text: { content: '' } },
			json: true,
		},
		rules: [
			errcodeRule(93000, 'Invalid webhook key, or the robot was removed from the group (93000)'),
			errcodeRule(93004, 'The robot is disabled (93004)'),
			errcodeRule(93008, 'The robot is not in the group (93008)'),
			errcodeRule(45009, 'Rate limited: 20 messages per minute per robot (45009)'),
		],
	};
}
