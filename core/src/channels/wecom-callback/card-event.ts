import { Deduplicator } from '../../engine/dedupe';
import { WeComCryptoError } from './crypto';
import type { XmlObject, XmlValue } from './xml';

/** A member's click on an interactive template card (or on a card's top-right menu). */
export interface TemplateCardEvent {
  event: 'template_card_event' | 'template_card_menu_event';
  /** ToUserName: the CorpID. */
  corpId: string;
  /** FromUserName: the userid of the member who clicked. */
  userId: string;
  agentId?: number;
  /** CreateTime (unix seconds, WeCom's clock). */
  createTime: number;
  taskId: string;
  cardType: string;
  /** The button or submit key (`EventKey`). */
  eventKey: string;
  /** A fresh code for one `updateTemplateCard` within 72 h. */
  responseCode: string;
  /** vote/multiple cards: the options ticked per question. */
  selected: Array<{ questionKey: string; optionIds: string[] }>;
  /** WeCom re-sends unanswered callbacks; the same click has the same key (no MsgId for events). */
  dedupeKey: string;
}

const EVENTS = new Set(['template_card_event', 'template_card_menu_event']);

/** The typed click of a decrypted callback message, or undefined for any other message or event. */
export function parseTemplateCardEvent(message: XmlObject): TemplateCardEvent | undefined {
  const event = text(message.Event);
  if (text(message.MsgType) !== 'event' || !EVENTS.has(event)) return undefined;
  const need = (name: string): string => {
    const value = text(message[name]);
    if (value === '') throw new WeComCryptoError('BAD_REQUEST', `${event} without ${name}`);
    return value;
  };
  const userId = need('FromUserName');
  const taskId = need('TaskId');
  const eventKey = need('EventKey');
  const createTime = Number(need('CreateTime'));
  const agentId = text(message.AgentID);
  return {
    event: event as TemplateCardEvent['event'],
    corpId: text(message.ToUserName),
    userId,
    ...(agentId !== '' && Number.isFinite(Number(agentId)) ? { agentId: Number(agentId) } : {}),
    createTime: Number.isFinite(createTime) ? createTime : 0,
    taskId,
    cardType: text(message.CardType),
    eventKey,
    responseCode: text(message.ResponseCode),
    selected: selectedItems(message.SelectedItems),
    dedupeKey: [userId, createTime, taskId, eventKey].join('\n'),
  };
}

export interface TemplateCardReceipt {
  event: TemplateCardEvent;
  /** True for a redelivery, or the same member giving the same answer on the same card again. */
  duplicate: boolean;
}

/**
 * Parses card clicks and reports each once: WeCom's redeliveries (same member, time, task, key)
 * and a member's repeated identical click (double tap) come back with `duplicate: true`.
 * A different member's click, or the same member's different answer, is a new event.
 */
export class TemplateCardInbox {
  constructor(
    private readonly redeliveries = new Deduplicator({ ttlMs: 10 * 60_000 }),
    private readonly answers = new Deduplicator({ ttlMs: 72 * 3600_000, maxEntries: 50_000 }),
  ) {}

  /** undefined when the message is not a card click. */
  accept(message: XmlObject): TemplateCardReceipt | undefined {
    const event = parseTemplateCardEvent(message);
    if (!event) return undefined;
    const redelivered = this.redeliveries.isDuplicate(event.dedupeKey);
    const answer = [event.taskId, event.userId, event.eventKey, JSON.stringify(event.selected)].join('\n');
    const repeated = this.answers.isDuplicate(answer);
    return { event, duplicate: redelivered || repeated };
  }
}

function text(value: XmlValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function many(value: XmlValue | undefined): Array<string | XmlObject> {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function selectedItems(value: XmlValue | undefined): TemplateCardEvent['selected'] {
  const out: TemplateCardEvent['selected'] = [];
  for (const wrapper of many(value)) {
    if (typeof wrapper === 'string') continue;
    for (const item of many(wrapper.SelectedItem)) {
      if (typeof item === 'string') continue;
      const ids: string[] = [];
      for (const group of many(item.OptionIds)) {
        if (typeof group === 'string') continue;
        for (const id of many(group.OptionId)) if (typeof id === 'string' && id !== '') ids.push(id);
      }
      out.push({ questionKey: text(item.QuestionKey), optionIds: ids });
    }
  }
  return out;
}
