import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Min, MinLength, ValidateIf, validateSync, type ValidationError } from 'class-validator';
import { isValidTimeZone } from '@wxnotify/core';
import type { NotifyModuleOptions } from './notify.options.js';

class EventRuleSchema {
  @IsOptional() @IsString() channel?: string;
  @IsString() @MinLength(1) template!: string;
  @IsOptional() @IsString() title?: string;
  @IsOptional() @IsIn(['text', 'markdown', 'html']) format?: string;
}

class QueueSchema {
  @ValidateIf((queue: QueueSchema) => !queue.bullModule) @IsObject() connection?: object;
  @IsOptional() bullModule?: unknown;
  @IsOptional() @IsInt() @Min(1) lockDurationMs?: number;
  @IsOptional() @IsInt() @Min(1) stalledIntervalMs?: number;
  @IsOptional() @IsString() @MinLength(1) name?: string;
  @IsOptional() @IsString() @MinLength(1) prefix?: string;
  @IsOptional() @IsInt() @Min(1) attempts?: number;
  @IsOptional() @IsInt() @Min(0) backoffMs?: number;
  @IsOptional() @IsBoolean() worker?: boolean;
  @IsOptional() @IsBoolean() producer?: boolean;
  @IsOptional() @IsInt() @Min(1) concurrency?: number;
  @IsOptional() @IsInt() @Min(1) enqueueTimeoutMs?: number;
  @IsOptional() @IsIn(['inline', 'drop']) fallback?: string;
}

class AskSchema {
  @IsOptional() @IsObject() store?: object;
  @IsOptional() @IsInt() @Min(1) sweepIntervalMs?: number;
}

class ModuleSchema {
  @IsObject() channels!: object;
  @IsOptional() @IsString() defaultChannel?: string;
  @IsOptional() @IsInt() @Min(0) shutdownTimeoutMs?: number;
  @IsOptional() @IsInt() @Min(1) maxConcurrentSends?: number;
  @IsOptional() @IsInt() @Min(1) maxPendingSends?: number;
  @IsOptional() @IsInt() @Min(64) maxTemplateBytes?: number;
  @IsOptional() @IsObject() events?: object;
  @IsOptional() @IsObject() deps?: object;
  @IsOptional() @IsObject() queue?: object;
  @IsOptional() @IsObject() ask?: object;
}

function check<T extends object>(schema: new () => T, value: unknown, path: string, problems: string[]): void {
  if (value === null || typeof value !== 'object') {
    problems.push(`${path || 'options'} must be an object`);
    return;
  }
  const instance = Object.assign(new schema(), value);
  for (const error of validateSync(instance, { forbidUnknownValues: false })) collect(error, path, problems);
}

function collect(error: ValidationError, path: string, problems: string[]): void {
  const at = path ? `${path}.${error.property}` : error.property;
  for (const message of Object.values(error.constraints ?? {})) problems.push(message.replace(error.property, at));
  for (const child of error.children ?? []) collect(child, at, problems);
}

/**
 * Checks the module options with class-validator and the cross-field rules (default channel,
 * event channels). Channel configs themselves are checked by the core when the channels are built.
 * Returns readable problems, one per line; empty when valid.
 */
export function validateNotifyOptions(options: NotifyModuleOptions): string[] {
  const problems: string[] = [];
  check(ModuleSchema, options, '', problems);
  if (!options || typeof options.channels !== 'object' || options.channels === null) return problems;
  const names = Object.keys(options.channels);
  if (names.length === 0) problems.push('channels must name at least one channel');
  for (const name of names) {
    const config = (options.channels as Record<string, unknown>)[name];
    if (!config || typeof config !== 'object' || typeof (config as { type?: unknown }).type !== 'string') {
      problems.push(`channels.${name} must be an object with a "type"`);
    }
  }
  if (options.defaultChannel !== undefined && !names.includes(options.defaultChannel)) {
    problems.push(`defaultChannel "${options.defaultChannel}" is not one of the channels (${names.join(', ')})`);
  }
  for (const [event, rule] of Object.entries(options.events ?? {})) {
    check(EventRuleSchema, rule, `events.${event}`, problems);
    const channel = (rule as { channel?: string } | undefined)?.channel;
    if (channel !== undefined && !names.includes(channel)) problems.push(`events.${event}.channel "${channel}" is not one of the channels`);
  }
  if (options.defaultWhen !== undefined && typeof options.defaultWhen !== 'function') problems.push('defaultWhen must be a function (result, request) => boolean');
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) problems.push(`timeZone "${String(options.timeZone)}" is not an IANA time zone (e.g. Asia/Shanghai, UTC)`);
  if (options.queue) check(QueueSchema, options.queue, 'queue', problems);
  if (options.ask) check(AskSchema, options.ask, 'ask', problems);
  return problems;
}
