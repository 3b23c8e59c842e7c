import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WxPusherChannel } from '../../../../core/src';
import { asJson, limitText } from '../../../shared/fields';

const createProperties: INodeProperties[] = [
	{
		displayName: 'Extra',
		name: 'extra',
		type: 'string',
		default: '',
		required: true,
		description: limitText('wxpusher', 'qrExtraMaxChars', (n) => `Echoed in the app_subscribe callback (1 to ${n} characters), e.g. your own user ID`),
	},
	{
		displayName: 'Valid Time (Seconds)',
		name: 'validTime',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1800,
		description: limitText('wxpusher', 'qrValidTimeMaxSeconds', (n) => `How long the QR code stays valid (at most ${n} s)`),
	},
];

const scanProperties: INodeProperties[] = [
	{
		displayName: 'QR Code',
		name: 'code',
		type: 'string',
		default: '',
		required: true,
		description: 'The code returned by Create. Poll one code at most every 10 seconds.',
	},
];

export const create = {
	description: updateDisplayOptions({ show: { resource: ['qrCode'], operation: ['create'] } }, createProperties),
	async execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
		const extra = this.getNodeParameter('extra', i) as string;
		const validTime = this.getNodeParameter('validTime', i, 1800) as number;
		return asJson(await channel.createQrCode({ extra, validTime }));
	},
};

export const getScannedUid = {
	description: updateDisplayOptions({ show: { resource: ['qrCode'], operation: ['getScannedUid'] } }, scanProperties),
	async execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
		const code = this.getNodeParameter('code', i) as string;
		const uid = await channel.queryScanUid(code);
		return { code, uid: uid ?? null, scanned: uid !== undefined };
	},
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['qrCode'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a follow QR code', description: 'A QR code that subscribes the scanner to the app' },
			{ name: 'Get Scanned UID', value: 'getScannedUid', action: 'Get the UID of the last scanner', description: 'UID of the user who last scanned a QR code' },
		],
		default: 'create',
	},
	...create.description,
	...getScannedUid.description,
];
