import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class JuheWeComApi implements ICredentialType {
	name = 'juheWeComApi';

	displayName = 'JuHe WeCom API';

	icon: Icon = { light: 'file:../icons/juhe.svg', dark: 'file:../icons/juhe.dark.svg' };

	documentationUrl = 'https://wework.apifox.cn/';

	properties: INodeProperties[] = [
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{ name: 'Direct Instance', value: 'direct', description: 'Call a self-hosted instance (http://host:port/msg/...)' },
				{ name: 'Public Gateway', value: 'gateway', description: 'Call chat-api.juhebot.com/open/GuidRequest with app key and secret' },
			],
			default: 'direct',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://chat-api.juhebot.com',
			description: 'Gateway origin, or the instance origin in direct mode (e.g. http://192.168.1.10:23456)',
		},
		{
			displayName: 'GUID',
			name: 'guid',
			type: 'string',
			default: '',
			required: true,
			description: 'The client instance (one per logged-in WeCom account)',
		},
		{
			displayName: 'App Key',
			name: 'appKey',
			type: 'string',
			default: '',
			displayOptions: { show: { mode: ['gateway'] } },
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { mode: ['gateway'] } },
		},
	];

	// Reads the client status: harmless, proves the GUID (and key/secret in gateway mode).
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '={{$credentials.mode === "gateway" ? "/open/GuidRequest" : "/client/get_client_status"}}',
			method: 'POST',
			// Spaces keep "}}" of the object literals from closing the expression early.
			body: '={{ $credentials.mode === "gateway" ? { app_key: $credentials.appKey, app_secret: $credentials.appSecret, path: "/client/get_client_status", data: { guid: $credentials.guid } } : { guid: $credentials.guid } }}',
			json: true,
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'error_code', value: -2003, message: 'Parameter error (-2003): check the GUID' } },
			{ type: 'responseSuccessBody', properties: { key: 'error_code', value: -1, message: 'Unknown GUID or client not running' } },
		],
	};
}
