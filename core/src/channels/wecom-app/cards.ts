import { randomBytes } from 'node:crypto';
import { utf8Bytes } from '../../engine/split';
import { validationError } from '../../model/notify-error';
import { WECOM_APP_LIMITS as L } from './config';

/**
 * Interactive WeCom template cards: typed builders and WeCom's rules, checked before any request.
 *
 *   const card = buttonCard({ title: '发布审批', description: 'v1.4.2 → prod', buttons: [
 *     { text: '批准', key: 'approve', style: 1 }, { text: '拒绝', key: 'reject', style: 2 }] });
 *   const sent = await app.sendCard(card, { touser: ['zhangsan'] });   // { taskId, responseCode, … }
 *   // … the click arrives at the callback URL → TemplateCardInbox.accept(message) → event
 *   await app.updateTemplateCard({ responseCode: event.responseCode, issuedAt: event.createTime * 1000,
 *     replaceButton: `已由 ${event.userId} 批准` });
 *
 * `task_id` is generated when not given (unique per send); limits live in `WECOM_APP_LIMITS.card*`.
 */
export type InteractiveCardType = 'button_interaction' | 'vote_interaction' | 'multiple_interaction';
export const INTERACTIVE_CARD_TYPES: readonly InteractiveCardType[] = ['button_interaction', 'vote_interaction', 'multiple_interaction'];

/** A template card as WeCom's JSON has it (`card_type`, `task_id`, `main_title`, …). */
export interface WeComTemplateCard {
  card_type: string;
  task_id?: string;
  [field: string]: unknown;
}

/** Button style 1–4 (WeCom's palette; 1 is the default blue, 2 grey, 3 red, 4 green-ish). */
export type CardButtonStyle = 1 | 2 | 3 | 4;

/** A callback button (`key`, reported on click) or a link button (`url`, no callback, cannot tell who clicked). */
export type CardButton = { text: string; key: string; style?: CardButtonStyle } | { text: string; url: string; style?: CardButtonStyle };

export interface CardField {
  /** Label, ≤ 5 characters. */
  key: string;
  value?: string;
  /** Makes the value a link. */
  url?: string;
  /** Shows a member (the value is their userid). */
  userId?: string;
}

interface CardBase {
  /** Unique per send, `[0-9A-Za-z_-@]`, ≤ 128 bytes. Generated when absent. */
  taskId?: string;
  title: string;
  description?: string;
  /** Small grey source line above the title (e.g. the system's name). */
  source?: string;
  /** Opens this URL when the card body is tapped. */
  url?: string;
}

export interface ButtonCardInput extends CardBase {
  subTitle?: string;
  fields?: CardField[];
  quote?: { title?: string; text?: string; url?: string };
  buttons: CardButton[];
}

export interface VoteCardInput extends CardBase {
  questionKey: string;
  options: Array<{ id: string; text: string; checked?: boolean }>;
  /** Several options may be ticked (default: one). */
  multiple?: boolean;
  submit: { text: string; key: string };
}

export interface MultipleCardInput extends CardBase {
  selects: Array<{ questionKey: string; title?: string; options: Array<{ id: string; text: string }>; selectedId?: string }>;
  submit: { text: string; key: string };
}

const CHANNEL = 'wecom-app';
const TASK_ID = /^[0-9A-Za-z_\-@]+$/;

/** A fresh task id: `<prefix>_<time base36>_<16 hex>`, in WeCom's charset and ≤ 128 bytes. */
export function newCardTaskId(prefix = 'wxn'): string {
  const clean = prefix.replace(/[^0-9A-Za-z_\-@]/g, '_').slice(0, 64) || 'wxn';
  return `${clean}_${Date.now().toString(36)}_${randomBytes(8).toString('hex')}`;
}

export function isInteractiveCard(card: { card_type?: unknown }): card is WeComTemplateCard & { card_type: InteractiveCardType } {
  return INTERACTIVE_CARD_TYPES.includes(card.card_type as InteractiveCardType);
}

export function buttonCard(input: ButtonCardInput): WeComTemplateCard {
  const card: WeComTemplateCard = { card_type: 'button_interaction', ...head(input) };
  if (input.subTitle) card.sub_title_text = input.subTitle;
  if (input.fields?.length) {
    card.horizontal_content_list = input.fields.map((f) => {
      if (f.url) return { type: 1, keyname: f.key, value: f.value ?? f.url, url: f.url };
      if (f.userId) return { type: 3, keyname: f.key, userid: f.userId };
      return { keyname: f.key, value: f.value ?? '' };
    });
  }
  if (input.quote) card.quote_area = { ...(input.quote.url ? { type: 1, url: input.quote.url } : {}), ...(input.quote.title ? { title: input.quote.title } : {}), ...(input.quote.text ? { quote_text: input.quote.text } : {}) };
  card.button_list = (input.buttons ?? []).map((b) => ('url' in b && b.url ? { type: 1, text: b.text, url: b.url, style: b.style ?? 1 } : { text: b.text, key: (b as { key: string }).key, style: b.style ?? 1 }));
  return checkCard(card);
}

export function voteCard(input: VoteCardInput): WeComTemplateCard {
  const card: WeComTemplateCard = {
    card_type: 'vote_interaction',
    ...head(input),
    checkbox: {
      question_key: input.questionKey,
      option_list: (input.options ?? []).map((o) => ({ id: o.id, text: o.text, is_checked: o.checked === true })),
      mode: input.multiple ? 1 : 0,
    },
    submit_button: { text: input.submit?.text, key: input.submit?.key },
  };
  return checkCard(card);
}

export function multipleCard(input: MultipleCardInput): WeComTemplateCard {
  const card: WeComTemplateCard = {
    card_type: 'multiple_interaction',
    ...head(input),
    select_list: (input.selects ?? []).map((s) => ({
      question_key: s.questionKey,
      ...(s.title ? { title: s.title } : {}),
      ...(s.selectedId ? { selected_id: s.selectedId } : {}),
      option_list: (s.options ?? []).map((o) => ({ id: o.id, text: o.text })),
    })),
    submit_button: { text: input.submit?.text, key: input.submit?.key },
  };
  return checkCard(card);
}

function head(input: CardBase): Record<string, unknown> {
  const out: Record<string, unknown> = { task_id: input.taskId ?? newCardTaskId() };
  if (input.source) out.source = { desc: input.source };
  out.main_title = { title: input.title, ...(input.description ? { desc: input.description } : {}) };
  if (input.url) out.card_action = { type: 1, url: input.url };
  return out;
}

function checkCard(card: WeComTemplateCard): WeComTemplateCard {
  validateTemplateCard(card);
  return card;
}

/**
 * WeCom's rules for an interactive card (as JSON): required parts per card_type, the task_id
 * charset and length, list sizes, unique keys and ids, text lengths. Throws a validation
 * NotifyError naming the field (`template_card.button_list[2].text`). Non-interactive cards only
 * need a card_type here; WeCom checks the rest.
 */
export function validateTemplateCard(card: unknown): asserts card is WeComTemplateCard {
  const check = new CardCheck();
  if (!isObject(card) || typeof card.card_type !== 'string' || card.card_type === '') {
    throw check.fail('template_card.card_type', 'is required');
  }
  if (!isInteractiveCard(card)) return;
  check.taskId(card.task_id);
  check.text('source.desc', isObject(card.source) ? card.source.desc : undefined, L.cardSourceChars, false);
  const title = isObject(card.main_title) ? card.main_title : undefined;
  if (!title) throw check.fail('template_card.main_title', 'is required for interactive cards');
  check.text('main_title.title', title.title, L.cardTitleChars, true);
  check.text('main_title.desc', title.desc, L.cardDescriptionChars, false);
  if (card.card_action !== undefined) check.cardAction(card.card_action);
  switch (card.card_type) {
    case 'button_interaction':
      check.buttonCard(card);
      break;
    case 'vote_interaction':
      check.voteCard(card);
      break;
    case 'multiple_interaction':
      check.multipleCard(card);
      break;
  }
}

class CardCheck {
  private readonly keys = new Set<string>();

  fail(field: string, message: string): Error {
    return validationError(CHANNEL, 'INVALID_CARD', `${field}: ${message}`, '模板卡片不符合企业微信的规则，请按字段名修改。 / Fix the named card field (WeCom template_card rules).');
  }

  taskId(value: unknown): void {
    if (typeof value !== 'string' || value === '') throw this.fail('template_card.task_id', 'is required for interactive cards');
    if (!TASK_ID.test(value)) throw this.fail('template_card.task_id', 'may only contain 0-9 A-Z a-z _ - @');
    if (utf8Bytes(value) > L.cardTaskIdBytes) throw this.fail('template_card.task_id', `is longer than ${L.cardTaskIdBytes} bytes`);
  }

  text(field: string, value: unknown, maxChars: number, required: boolean): void {
    if (value === undefined || value === '') {
      if (required) throw this.fail(`template_card.${field}`, 'is required');
      return;
    }
    if (typeof value !== 'string') throw this.fail(`template_card.${field}`, 'must be a string');
    if (required && value.trim() === '') throw this.fail(`template_card.${field}`, 'is required');
    const length = Array.from(value).length;
    if (length > maxChars) throw this.fail(`template_card.${field}`, `is ${length} characters; WeCom shows at most ${maxChars}`);
  }

  key(field: string, value: unknown): void {
    if (typeof value !== 'string' || value === '') throw this.fail(`template_card.${field}`, 'is required');
    if (utf8Bytes(value) > L.cardKeyBytes) throw this.fail(`template_card.${field}`, `is longer than ${L.cardKeyBytes} bytes`);
    if (this.keys.has(value)) throw this.fail(`template_card.${field}`, `"${value}" is used twice in this card (keys must be unique)`);
    this.keys.add(value);
  }

  url(field: string, value: unknown): void {
    if (typeof value !== 'string' || !/^https?:\/\/\S+$/i.test(value)) throw this.fail(`template_card.${field}`, 'must be an http(s) URL');
    if (utf8Bytes(value) > L.cardUrlBytes) throw this.fail(`template_card.${field}`, `is longer than ${L.cardUrlBytes} bytes`);
  }

  list(field: string, value: unknown, min: number, max: number): Array<Record<string, unknown>> {
    if (!Array.isArray(value) || value.length < min || value.length > max) throw this.fail(`template_card.${field}`, `needs ${min}–${max} entries`);
    value.forEach((entry, i) => {
      if (!isObject(entry)) throw this.fail(`template_card.${field}[${i}]`, 'must be an object');
    });
    return value as Array<Record<string, unknown>>;
  }

  options(field: string, value: unknown, max: number, textChars: number): void {
    const ids = new Set<string>();
    this.list(field, value, 1, max).forEach((option, i) => {
      const id = option.id;
      if (typeof id !== 'string' || id === '') throw this.fail(`template_card.${field}[${i}].id`, 'is required');
      if (utf8Bytes(id) > L.cardOptionIdBytes) throw this.fail(`template_card.${field}[${i}].id`, `is longer than ${L.cardOptionIdBytes} bytes`);
      if (ids.has(id)) throw this.fail(`template_card.${field}[${i}].id`, `"${id}" is used twice (option ids must be unique)`);
      ids.add(id);
      this.text(`${field}[${i}].text`, option.text, textChars, true);
    });
  }

  cardAction(value: unknown): void {
    if (!isObject(value)) throw this.fail('template_card.card_action', 'must be an object');
    if (value.type === 1 || value.type === undefined) this.url('card_action.url', value.url);
  }

  submit(card: WeComTemplateCard): void {
    const submit = card.submit_button;
    if (!isObject(submit)) throw this.fail('template_card.submit_button', `is required for ${card.card_type}`);
    this.text('submit_button.text', submit.text, L.cardButtonTextChars, true);
    this.key('submit_button.key', submit.key);
  }

  buttonCard(card: WeComTemplateCard): void {
    this.text('sub_title_text', card.sub_title_text, L.cardSubTitleChars, false);
    if (card.horizontal_content_list !== undefined) {
      this.list('horizontal_content_list', card.horizontal_content_list, 0, L.cardFieldsMax).forEach((field, i) => {
        this.text(`horizontal_content_list[${i}].keyname`, field.keyname, L.cardFieldKeyChars, true);
        this.text(`horizontal_content_list[${i}].value`, field.value, L.cardFieldValueChars, false);
        if (field.type === 1) this.url(`horizontal_content_list[${i}].url`, field.url);
        if (field.type === 3 && (typeof field.userid !== 'string' || field.userid === '')) throw this.fail(`template_card.horizontal_content_list[${i}].userid`, 'is required for type 3');
      });
    }
    if (card.quote_area !== undefined) {
      if (!isObject(card.quote_area)) throw this.fail('template_card.quote_area', 'must be an object');
      this.text('quote_area.title', card.quote_area.title, L.cardTitleChars, false);
      this.text('quote_area.quote_text', card.quote_area.quote_text, L.cardQuoteTextChars, false);
      if (card.quote_area.type === 1) this.url('quote_area.url', card.quote_area.url);
    }
    this.list('button_list', card.button_list, L.cardButtonsMin, L.cardButtonsMax).forEach((button, i) => {
      this.text(`button_list[${i}].text`, button.text, L.cardButtonTextChars, true);
      if (button.style !== undefined && ![1, 2, 3, 4].includes(button.style as number)) throw this.fail(`template_card.button_list[${i}].style`, 'must be 1, 2, 3 or 4');
      if (button.type === 1) this.url(`button_list[${i}].url`, button.url);
      else this.key(`button_list[${i}].key`, button.key);
    });
  }

  voteCard(card: WeComTemplateCard): void {
    const box = card.checkbox;
    if (!isObject(box)) throw this.fail('template_card.checkbox', 'is required for vote_interaction');
    this.key('checkbox.question_key', box.question_key);
    if (box.mode !== undefined && box.mode !== 0 && box.mode !== 1) throw this.fail('template_card.checkbox.mode', 'must be 0 (single) or 1 (multiple)');
    this.options('checkbox.option_list', box.option_list, L.cardVoteOptionsMax, L.cardVoteOptionChars);
    this.submit(card);
  }

  multipleCard(card: WeComTemplateCard): void {
    this.list('select_list', card.select_list, 1, L.cardSelectsMax).forEach((select, i) => {
      this.key(`select_list[${i}].question_key`, select.question_key);
      this.text(`select_list[${i}].title`, select.title, L.cardSelectOptionChars, false);
      this.options(`select_list[${i}].option_list`, select.option_list, L.cardSelectOptionsMax, L.cardSelectOptionChars);
      const options = select.option_list as Array<{ id: string }>;
      if (select.selected_id !== undefined && !options.some((o) => o.id === select.selected_id)) {
        throw this.fail(`template_card.select_list[${i}].selected_id`, 'is not one of the option ids');
      }
    });
    this.submit(card);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
