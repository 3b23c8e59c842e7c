import { validationError } from '../../model/notify-error';

export interface NormalizedConversationId {
  input: string;
  /** `S:<user id>` (private chat) or `R:<room id>` (group). */
  id: string;
  repaired: boolean;
}

const VALID = /^[SR]:\d+$/;

/**
 * Repairs what can be repaired: surrounding spaces, a lowercase prefix, and a bare numeric id
 * (taken as a private chat, `S:<id>`). Returns undefined for anything else.
 */
export function normalizeConversationId(input: unknown): NormalizedConversationId | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  const raw = String(input);
  const trimmed = raw.trim();
  let id = trimmed;
  if (/^\d+$/.test(trimmed)) id = `S:${trimmed}`;
  else if (/^[sr]:\d+$/.test(trimmed)) id = trimmed[0].toUpperCase() + trimmed.slice(1);
  if (!VALID.test(id)) return undefined;
  return { input: raw, id, repaired: id !== raw };
}

/** Normalizes every id or throws one validation error listing the bad ones (before any request). */
export function normalizeConversationIds(inputs: readonly unknown[]): NormalizedConversationId[] {
  if (inputs.length === 0) {
    throw validationError('wecom-hook', 'INVALID_CONVERSATION_ID', 'no conversation id given', 'Use S:<user id> for a private chat or R:<room id> for a group.');
  }
  const out: NormalizedConversationId[] = [];
  const bad: string[] = [];
  for (const input of inputs) {
    const n = normalizeConversationId(input);
    if (n) out.push(n);
    else bad.push(JSON.stringify(input) ?? String(input));
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : '');
    throw validationError(
      'wecom-hook',
      'INVALID_CONVERSATION_ID',
      `${bad.length} invalid conversation id(s): ${shown}`,
      'Use S:<user id> for a private chat or R:<room id> for a group (a bare numeric id is taken as S:<id>). Nothing was sent.',
    );
  }
  return out;
}
