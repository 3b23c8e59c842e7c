import { validationError } from '@wxnotify/core';

/**
 * Recipients of a Code on a named channel, in the `to` shape of the channel's core definition.
 * Accepts that object as is, or a list of strings (the CLI's `--to`, the page's text box):
 * - wecom-app: `zhangsan`, `party:2`, `tag:3`, `@all`
 * - wxpusher: `UID_…`, `topic:123` (or a bare number), `SPT_…`
 * - gewechat: wxids (`wxid_…`, `…@chatroom`)
 * - wecom-hook: conversation ids (`S:…` / `R:…`)
 * - wecom-bot / gateway: none (the robot's group is the recipient)
 * The channel itself validates ids on each send; here only the shape is checked.
 */
export function recipientsFor(channelType: string, value: unknown): Record<string, unknown> | string[] | undefined {
  const list = stringList(value);
  switch (channelType) {
    case 'wecom-bot':
    case 'gateway':
      if (list?.length || (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length)) {
        throw validationError('gateway', 'INVALID_INPUT', `to: a ${channelType} channel has no recipients`, 'Leave "to" out: the robot posts to its own group.');
      }
      return undefined;
    case 'wecom-app':
      if (!list) return objectOf(value, ['users', 'parties', 'tags', 'all']);
      if (list.includes('@all')) return { all: true };
      return nonEmpty({
        users: list.filter((v) => !/^(party|tag):/.test(v)),
        parties: list.filter((v) => v.startsWith('party:')).map((v) => v.slice(6)),
        tags: list.filter((v) => v.startsWith('tag:')).map((v) => v.slice(4)),
      });
    case 'wxpusher':
      if (!list) return objectOf(value, ['uids', 'topicIds', 'spts']);
      return nonEmpty({
        uids: list.filter((v) => v.startsWith('UID_')),
        topicIds: list.filter((v) => /^(topic:)?\d+$/.test(v)).map((v) => Number(v.replace('topic:', ''))),
        spts: list.filter((v) => v.startsWith('SPT_')),
      }, list);
    default:
      if (!list?.length) throw validationError('gateway', 'INVALID_INPUT', 'to is required', channelType === 'gewechat' ? 'Give wxids: ["wxid_abc", "123@chatroom"].' : 'Give conversation ids: ["S:1688…", "R:1097…"].');
      return list;
  }
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') value = value.split(/[,;\s]+/);
  if (!Array.isArray(value)) return undefined;
  if (value.some((v) => typeof v !== 'string' && typeof v !== 'number')) throw validationError('gateway', 'INVALID_INPUT', 'to must be a list of ids');
  const list = [...new Set(value.map((v) => String(v).trim()).filter(Boolean))];
  if (list.some((v) => v.length > 128)) throw validationError('gateway', 'INVALID_INPUT', 'to contains an id longer than 128 characters');
  return list;
}

function objectOf(value: unknown, keys: string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw validationError('gateway', 'INVALID_INPUT', `to is required: an object with ${keys.join(', ')} or a list of ids`);
  const picked = Object.fromEntries(Object.entries(value).filter(([k]) => keys.includes(k)));
  if (Object.keys(picked).length === 0) throw validationError('gateway', 'INVALID_INPUT', `to needs one of ${keys.join(', ')}`);
  return picked;
}

function nonEmpty(to: Record<string, unknown[]>, given?: string[]): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(to).filter(([, v]) => v.length));
  if (given) {
    const known = new Set(Object.values(to).flat().map(String));
    const unknown = given.find((v) => !known.has(v) && !known.has(v.replace('topic:', '')));
    if (unknown) throw validationError('gateway', 'INVALID_INPUT', `to: "${unknown.slice(0, 40)}" is not a WxPusher UID_…, SPT_… or topic id`);
  }
  if (Object.keys(out).length === 0) throw validationError('gateway', 'INVALID_INPUT', 'to is required');
  return out;
}
