import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class GewechatApi implements ICredentialType {
	name = 'gewechatApi';

	displayName = 'Gewechat API';

	icon: Icon = { light: 'file:../icons/gewechat.svg', dark: 'file:../icons/gewechat.dark.svg' };

	documentationUrl = 'https://github.com/Devo919/Gewechat';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:2531/v2/api',
			required: true,
			description: 'The gewechat API root, including /v2/api',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Sent as the X-GEWE-TOKEN header',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'The appId of the logged-in WeChat account',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-GEWE-TOKEN': '={{$credentials.token}}' } },
	};

	// Online check: harmless, and proves the token and the appId.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/login/checkOnline',
			method: 'POST',
			body: { appId: '={{$credentials.appId}}' },
			json: true,
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'ret', value: 500, message: 'gewechat rejected the request (check the token and the appId)' } },
			{ type: 'responseSuccessBody', properties: { key: 'ret', value: 401, message: 'gewechat rejected the token' } },
			{ type: 'responseSuccessBody', properties: { key: 'data', value: false, message: 'The WeChat account is offline: log in again' } },
		],
	};
}
