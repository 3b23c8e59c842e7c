import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class WxPusherApi implements ICredentialType {
	name = 'wxPusherApi';

	displayName = 'WxPusher API';

	icon: Icon = { light: 'file:../icons/wxpusher.svg', dark: 'file:../icons/wxpusher.dark.svg' };

	documentationUrl = 'https://wxpusher.zjiecode.com/docs/';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'App Token', value: 'appToken', description: 'Standard push: an application with subscribers (AT_...)' },
				{ name: 'Simple Push Token (SPT)', value: 'spt', description: 'Personal push without an app (SPT_...)' },
			],
			default: 'appToken',
		},
		{
			displayName: 'App Token',
			name: 'appToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'AT_...',
			displayOptions: { show: { authType: ['appToken'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the SPT alone authorises pushes to its owner
		{
			displayName: 'Simple Push Token',
			name: 'spt',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SPT_...',
			displayOptions: { show: { authType: ['spt'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://wxpusher.zjiecode.com',
			description: 'Advanced: change only to go through a proxy or a private WxPusher deployment',
		},
	];

	// Lists one follower (read-only). An SPT can only send, so with an SPT this only proves the server answers.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '={{$credentials.authType === "spt" ? "/api/send/query/status" : "/api/fun/wxuser/v2"}}',
			method: 'GET',
			qs: {
				appToken: '={{$credentials.authType === "spt" ? undefined : $credentials.appToken}}',
				page: 1,
				pageSize: 1,
			},
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'success', value: false, message: 'WxPusher rejected the app token' },
			},
		],
	};
}
