import type { IExecuteFunctions } from 'n8n-workflow';
import type { MediaInput } from '../../core/src';

/** Reads a binary property of an item as the core's MediaInput (bytes, file name, MIME type). */
export async function mediaFromBinary(ctx: IExecuteFunctions, itemIndex: number, propertyName: string): Promise<MediaInput> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, propertyName);
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return { data, filename: binary.fileName ?? `${propertyName}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`, contentType: binary.mimeType };
}
