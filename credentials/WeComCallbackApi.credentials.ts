import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class WeComCallbackApi implements ICredentialType {
	name = 'weComCallbackApi';

	displayName = 'WeCom Callback API';

	icon: Icon = { light: 'file:../icons/wecom.svg', dark: 'file:../icons/wecom.dark.svg' };

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/90930';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://qyapi.weixin.qq.com',
			description: 'Only used by the Test button (a reachability probe); callbacks come to n8n',
		},
		{
			displayName: 'Corp ID',
			name: 'corpId',
			type: 'string',
			default: '',
			required: true,
			description: 'The receive ID checked inside every decrypted callback (the Corp ID for self-built apps)',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The callback Token from the app\'s "Receive messages" settings',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the AES key decrypts every callback
		{
			displayName: 'EncodingAESKey',
			name: 'encodingAesKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The 43-character EncodingAESKey from the same settings',
		},
	];

	// Nothing to verify remotely (WeCom calls us); this only checks that the API origin answers.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/cgi-bin/gettoken',
			method: 'GET',
		},
	};
}
