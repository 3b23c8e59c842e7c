import type { IDataObject } from 'n8n-workflow';
import { channelDefinitions, type ChannelType } from '../../core/src';

/** A limit from the channel definition (the one place limits live), for field descriptions. */
export function limitOf(type: ChannelType, key: string): number | undefined {
	const value = (channelDefinitions[type].limits as Record<string, number | undefined>)[key];
	return typeof value === 'number' ? value : undefined;
}

/** "Up to 2048 bytes; ..." or the fallback text when the definition has no such limit. */
export function limitText(type: ChannelType, key: string, render: (limit: number) => string, fallback = ''): string {
	const limit = limitOf(type, key);
	return limit === undefined ? fallback : render(limit);
}

/** Comma/newline separated text or an array (from an expression) → trimmed non-empty strings. */
export function toList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const raw = Array.isArray(value) ? value : String(value).split(/[,\n]/);
	return raw.map((v) => String(v).trim()).filter((v) => v.length > 0);
}

/** A JSON parameter that may arrive as text or (from an expression) as an object. */
export function toObject(value: unknown): IDataObject | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'object') return value as IDataObject;
	return JSON.parse(String(value)) as IDataObject;
}

/** A SendResult (or any core result) as item JSON. */
export function asJson(value: unknown): IDataObject {
	return JSON.parse(JSON.stringify(value ?? {})) as IDataObject;
}
