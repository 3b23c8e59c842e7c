import { createChannel, type ChannelContext, type Notification, type SendResult, type WeComAppConfig } from '@wxnotify/core';
import type { Recipients } from '../store/store.js';

/** The WeCom app facts a Code holds (the secret in clear only while a channel is built). */
export interface WeComAppSettings {
  corpId: string;
  corpSecret: string;
  agentId: number;
  baseUrl?: string;
  timeoutMs: number;
}

export interface Department {
  id: number;
  name: string;
  parentId?: number;
}

export interface Member {
  userId: string;
  name: string;
  departments: number[];
}

/** The part of the core's wecom-app channel the gateway uses. */
export interface WeComAppLike {
  send(notification: Notification<Recipients, Record<string, unknown>>): Promise<SendResult>;
  check(): Promise<{ ok: boolean; message: string }>;
  listDepartments?(): Promise<unknown>;
  listUsers?(departmentId?: number): Promise<unknown>;
}

export function createWeComApp(settings: WeComAppSettings, ctx: ChannelContext): WeComAppLike {
  const config: WeComAppConfig = {
    type: 'wecom-app',
    corpId: settings.corpId,
    corpSecret: settings.corpSecret,
    agentId: settings.agentId,
    timeoutMs: settings.timeoutMs,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
  } as WeComAppConfig;
  return createChannel(config, ctx) as unknown as WeComAppLike;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** Normalises whatever list shape the core returns (raw WeCom rows or mapped ones). */
export function toDepartments(value: unknown): Department[] {
  const list = Array.isArray(value) ? value : (asRecord(value).department as unknown[]) ?? [];
  return list.map((row) => {
    const r = asRecord(row);
    const parent = r.parentId ?? r.parentid;
    return { id: Number(r.id), name: String(r.name ?? r.id), ...(parent !== undefined ? { parentId: Number(parent) } : {}) };
  });
}

export function toMembers(value: unknown): Member[] {
  const list = Array.isArray(value) ? value : (asRecord(value).userlist as unknown[]) ?? [];
  return list.map((row) => {
    const r = asRecord(row);
    const departments = r.departments ?? r.department;
    return { userId: String(r.userId ?? r.userid), name: String(r.name ?? r.userid ?? ''), departments: Array.isArray(departments) ? departments.map(Number) : [] };
  });
}
