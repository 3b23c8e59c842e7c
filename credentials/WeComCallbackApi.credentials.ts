import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class WeComCallbackApi implements ICredentialType {
	name = 'weComCallbackApi';

	displayName = 'WeCom Callback API';

	icon: Icon = { light: 'file:../icons/wecom.svg', dark: 'file:../icons/wecom.dark.svg' };

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/90930';

	properties: INodeProperties[] = [
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
			hint: 'Exactly 43 letters and digits (no + or /); the Test button checks it',
			description: 'The EncodingAESKey from the same settings',
		},
	];

	// Tested by the WeCom Trigger (testedBy): a format check, since WeCom calls n8n and not the reverse.
}
