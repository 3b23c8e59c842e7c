import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WxPusherChannel } from '../../../../core/src';
import { asJson } from '../../../shared/fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Send Record ID',
		name: 'sendRecordId',
		type: 'string',
		default: '',
		required: true,
		description: 'The sendRecordId of one target, from the send output (details.records)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['queryStatus'] } }, properties);

export async function execute(this: IExecuteFunctions, channel: WxPusherChannel, i: number): Promise<IDataObject> {
	const sendRecordId = this.getNodeParameter('sendRecordId', i) as string;
	return { sendRecordId, status: asJson({ value: await channel.querySendStatus(sendRecordId) }).value ?? null };
}
