import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { WeComAppChannel } from '../../../../core/src';

const properties: INodeProperties[] = [
	{
		displayName: 'Message ID',
		name: 'msgid',
		type: 'string',
		default: '',
		required: true,
		description: 'A msgid from a send in the last 24 hours (messageIds in the send output)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['recall'] } }, properties);

export async function execute(this: IExecuteFunctions, channel: WeComAppChannel, i: number): Promise<IDataObject> {
	const msgid = this.getNodeParameter('msgid', i) as string;
	await channel.recall(msgid);
	return { msgid, recalled: true };
}
