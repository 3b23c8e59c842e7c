import { validationError } from '../../model/notify-error';

/**
 * Who gets an app message. Lists may be arrays or strings separated by `|`, `,`, `;` or spaces.
 * `all: true` sends to everyone in the app's visible range; it is never implied.
 */
export interface WeComAppRecipients {
  users?: string[] | string;
  parties?: Array<string | number> | string;
  tags?: Array<string | number> | string;
  all?: boolean;
}

/** One call's worth of recipients, already joined with `|`. */
export interface RecipientBatch {
  touser?: string;
  toparty?: string;
  totag?: string;
}

export interface BatchLimits {
  usersPerCall: number;
  partiesPerCall: number;
  tagsPerCall: number;
}

const CHANNEL = 'wecom-app';

function toList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  // The common case, one clean id, without the split and the Set.
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') {
    const id = value[0].trim();
    return id ? [id] : [];
  }
  const raw = Array.isArray(value) ? value : typeof value === 'string' || typeof value === 'number' ? String(value).split(/[|,;\s]+/) : undefined;
  if (!raw) throw validationError(CHANNEL, 'INVALID_RECIPIENTS', `to.${field} must be a list or a string`);
  const out = new Set<string>();
  for (const item of raw) {
    if (typeof item !== 'string' && typeof item !== 'number') throw validationError(CHANNEL, 'INVALID_RECIPIENTS', `to.${field} contains a non-string entry`);
    const id = String(item).trim();
    if (id) out.add(id);
  }
  return [...out];
}

function requireNumeric(ids: string[], field: string): void {
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad !== undefined) throw validationError(CHANNEL, 'INVALID_RECIPIENTS', `to.${field} must be numeric ids, got "${bad}"`);
}

/**
 * Validates recipients and cuts them into calls at WeCom's limits (1,000 users, 100 parties,
 * 100 tags per call): the number of calls is the largest of the three chunk counts.
 */
export function batchRecipients(to: WeComAppRecipients | undefined, limits: BatchLimits): RecipientBatch[] {
  if (to === undefined || to === null || typeof to !== 'object') {
    throw validationError(CHANNEL, 'INVALID_RECIPIENTS', 'no recipients given', 'Set to.users, to.parties or to.tags (or to.all: true to message everyone).');
  }
  const users = toList(to.users, 'users');
  const parties = toList(to.parties, 'parties');
  const tags = toList(to.tags, 'tags');
  if (to.all === true) {
    if (users.length + parties.length + tags.length > 0) {
      throw validationError(CHANNEL, 'INVALID_RECIPIENTS', 'to.all cannot be combined with users, parties or tags');
    }
    return [{ touser: '@all' }];
  }
  if (users.includes('@all')) {
    throw validationError(CHANNEL, 'INVALID_RECIPIENTS', '"@all" in to.users is not accepted', 'Use to.all: true to message everyone on purpose.');
  }
  requireNumeric(parties, 'parties');
  requireNumeric(tags, 'tags');
  if (users.length + parties.length + tags.length === 0) {
    throw validationError(CHANNEL, 'INVALID_RECIPIENTS', 'no recipients given', 'Set to.users, to.parties or to.tags (or to.all: true to message everyone).');
  }
  const calls = Math.max(
    Math.ceil(users.length / limits.usersPerCall),
    Math.ceil(parties.length / limits.partiesPerCall),
    Math.ceil(tags.length / limits.tagsPerCall),
  );
  // One call (the common case) takes the lists as they are, without slicing.
  const part = (ids: string[], size: number, i: number): string[] => (calls === 1 ? ids : ids.slice(i * size, (i + 1) * size));
  const batches: RecipientBatch[] = [];
  for (let i = 0; i < calls; i++) {
    const batch: RecipientBatch = {};
    const u = part(users, limits.usersPerCall, i);
    const p = part(parties, limits.partiesPerCall, i);
    const t = part(tags, limits.tagsPerCall, i);
    if (u.length) batch.touser = u.join('|');
    if (p.length) batch.toparty = p.join('|');
    if (t.length) batch.totag = t.join('|');
    batches.push(batch);
  }
  return batches;
}
