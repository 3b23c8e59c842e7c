import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

const errcodeRule = (value: number, message: string) => ({
	type: 'responseSuccessBody' as const,
	properties: { key: 'errcode', value, message },
});

export class WeComAppApi implements ICredentialType {
	name = 'weComAppApi';

	displayName = 'WeCom App API';

	icon: Icon = { light: 'file:../icons/wecom.svg', dark: 'file:../icons/wecom.dark.svg' };

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/90236';

	properties: INodeProperties[] = [
		{
			displayName: 'Corp ID',
			name: 'corpId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'ww0123456789abcdef',
			description: 'In the WeCom admin console: My Company → Company Information → Company ID (at the bottom)',
		},
		{
			displayName: 'App Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'App Management → your self-built app → Secret (each app has its own; WeCom sends it to the admin\'s WeCom client)',
		},
		{
			displayName: 'Agent ID',
			name: 'agentId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 1000002',
			description: 'App Management → your self-built app → AgentId (a number)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://qyapi.weixin.qq.com',
			description:
				'Advanced: change only to go through a fixed-IP reverse proxy, which WeCom\'s trusted-IP rule (errcode 60020) can require for apps created after 2022',
		},
	];

	// Fetches a token only: never sends a message.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/cgi-bin/gettoken',
			method: 'GET',
			qs: { corpid: '={{$credentials.corpId}}', corpsecret: '={{$credentials.secret}}' },
		},
		rules: [
			errcodeRule(40013, 'Invalid Corp ID (40013)'),
			errcodeRule(40001, 'Invalid app secret (40001)'),
			errcodeRule(40091, 'Invalid app secret (40091)'),
			errcodeRule(41004, 'App secret missing (41004)'),
			errcodeRule(60020, 'This IP is not in the app\'s trusted IPs (60020)'),
			errcodeRule(45009, 'Rate limited by WeCom (45009), try again in a minute'),
			errcodeRule(-1, 'WeCom is busy (-1), try again'),
		],
	};
}
