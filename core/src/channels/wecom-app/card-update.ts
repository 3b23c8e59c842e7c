import { NotifyError, validationError } from '../../model/notify-error';
import { validateTemplateCard, type WeComTemplateCard } from './cards';
import { WECOM_APP_LIMITS as L } from './config';
import type { ErrorTable } from '../../engine/error-table';
import { weComAppErrors } from './errors';

const CHANNEL = 'wecom-app';

/** A `message/update_template_card` call: one response code, and either a result line or a new card. */
export interface TemplateCardUpdate {
  /** From the send (`CardSendResult.responseCode`) or from a click (`TemplateCardEvent.responseCode`). Single use, 72 h. */
  responseCode: string;
  /** When WeCom issued the code (ms): the send time, or a click's `createTime * 1000`. Lets codes from before a restart expire correctly. */
  issuedAt?: number;
  /** Whose card changes: every recipient of the task (default) or these members/parties/tags. */
  to?: 'all' | { users?: string[]; parties?: Array<string | number>; tags?: Array<string | number> };
  /** Replaces the buttons with this grey, non-clickable label, e.g. "已由 张三 确认 10:42". */
  replaceButton?: string;
  /** …or replaces the whole card (any card type; interactive cards are validated, keep the task_id). */
  card?: WeComTemplateCard;
}

export interface TemplateCardUpdateResult {
  /** Userids WeCom did not update (not recipients of the task). */
  invalidUsers: string[];
}

/** The JSON body of one update; validation errors name the field. */
export function templateCardUpdateBody(update: TemplateCardUpdate, agentId: number): string {
  const bad = (field: string, message: string) => validationError(CHANNEL, 'INVALID_CARD_UPDATE', `${field}: ${message}`);
  if (!update || typeof update !== 'object') throw bad('update', 'must be an object');
  if (typeof update.responseCode !== 'string' || update.responseCode.trim() === '') throw bad('responseCode', 'is required');
  const hasButton = update.replaceButton !== undefined;
  if (hasButton === (update.card !== undefined)) throw bad('replaceButton', 'give exactly one of replaceButton and card');
  const body: Record<string, unknown> = {};
  const to = update.to ?? 'all';
  if (to === 'all') body.atall = 1;
  else {
    const list = (values: Array<string | number> | undefined, field: string, max: number): Array<string | number> | undefined => {
      if (values === undefined || values.length === 0) return undefined;
      if (values.length > max) throw bad(`to.${field}`, `at most ${max} per update`);
      return values;
    };
    const userids = list(to.users, 'users', L.usersPerCall);
    const partyids = list(to.parties, 'parties', L.partiesPerCall);
    const tagids = list(to.tags, 'tags', L.tagsPerCall);
    if (!userids && !partyids && !tagids) throw bad('to', "name members, parties or tags, or use 'all'");
    if (userids) body.userids = userids;
    if (partyids) body.partyids = partyids.map(Number);
    if (tagids) body.tagids = tagids.map(Number);
  }
  body.agentid = agentId;
  body.response_code = update.responseCode;
  if (hasButton) {
    if (typeof update.replaceButton !== 'string' || update.replaceButton.trim() === '') throw bad('replaceButton', 'must be a non-empty string');
    body.button = { replace_name: update.replaceButton };
  } else {
    validateTemplateCard(update.card);
    body.template_card = update.card;
  }
  return JSON.stringify(body);
}

/** update_template_card answers a spent or unknown response_code with 40058 (**unverified** code; the fake mirrors it). */
export const weComCardUpdateErrors: ErrorTable = {
  ...weComAppErrors,
  '40058': {
    action: 'fail',
    hint: 'response_code 无效、已用过或已超过 72 小时；用最新一次点击的 ResponseCode。 / The response_code is invalid, used or older than 72 h; use the latest click’s code.',
  },
};

/**
 * An update whose request got no answer (timeout, reset after sending, a 5xx): WeCom may have
 * applied it and spent the single-use code, so it is not replayed. `deliveryUnknown` is set, as for
 * an abort on the wire (`abortMayHaveArrived` is true for it).
 */
export function cardUpdateOutcomeUnknown(cause: NotifyError): NotifyError {
  return new NotifyError({
    channel: CHANNEL,
    code: 'UPDATE_OUTCOME_UNKNOWN',
    kind: cause.kind,
    retryable: false,
    operation: 'message/update_template_card',
    deliveryUnknown: true,
    ...(cause.status !== undefined ? { status: cause.status } : {}),
    message: `the card update got no answer (${cause.code}): WeCom may have applied it, and its response_code is single-use`,
    hint: '卡片可能已更新：请求已发出但未收到应答，response_code 只能用一次，未重试；请在企业微信里查看卡片，需要时用新的点击回调里的 ResponseCode 再更新。 / The card may have been updated: the request left but got no answer; the single-use code was not replayed. Check the card; update again only with a fresh code (a new click).',
    cause,
  });
}
