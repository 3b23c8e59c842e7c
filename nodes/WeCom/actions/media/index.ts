import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WeComAppChannel, WeComMediaType } from '../../../../core/src';
import { mediaFromBinary } from '../../../shared/binary';
import { asJson } from '../../../shared/fields';
import { binaryPropertyField } from '../../../shared/wecom-fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: [
			{ name: 'File', value: 'file' },
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
			{ name: 'Voice', value: 'voice' },
		],
		default: 'file',
	},
	binaryPropertyField({}, 'Binary field holding the file to upload (the media_id stays valid for 3 days)'),
];

export const upload = {
	description: updateDisplayOptions({ show: { resource: ['media'], operation: ['upload'] } }, properties),
	async execute(this: IExecuteFunctions, channel: WeComAppChannel, i: number): Promise<IDataObject> {
		const media = await mediaFromBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string);
		return asJson(await channel.uploadMedia({ ...media, type: this.getNodeParameter('mediaType', i) as WeComMediaType }));
	},
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['media'] } },
		options: [{ name: 'Upload', value: 'upload', action: 'Upload a media file', description: 'Upload temporary media and get a media_id' }],
		default: 'upload',
	},
	...upload.description,
];
