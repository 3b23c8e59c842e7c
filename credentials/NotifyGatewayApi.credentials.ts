import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class NotifyGatewayApi implements ICredentialType {
	name = 'notifyGatewayApi';

	displayName = 'Notify Gateway API';

	icon: Icon = { light: 'file:../icons/gateway.svg', dark: 'file:../icons/gateway.dark.svg' };

	documentationUrl = 'https://github.com/wxnotify/wxnotify#gateway';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:8080',
			required: true,
			description: 'Origin of the wxnotify gateway (or any service with the same /api/notify contract)',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the config code alone authorises sends
		{
			displayName: 'Config Code',
			name: 'code',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The configuration code: sends go to /api/notify/{code}. Leave empty to use /api/notify.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Sent as "Authorization: Bearer ..." when the gateway requires one',
		},
	];

	// The gateway answers whether the Code is valid without sending (404 for an unknown Code);
	// with no Code only the gateway itself can be checked.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '={{$credentials.code ? "/api/notify/" + encodeURIComponent($credentials.code) + "/check" : "/health"}}',
			method: 'GET',
		},
		rules: [{ type: 'responseSuccessBody', properties: { key: 'valid', value: false, message: 'The gateway does not accept this Config Code' } }],
	};
}
