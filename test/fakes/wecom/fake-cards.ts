import { randomBytes } from 'node:crypto';
import { WeComCallback, type Clock } from '@wxnotify/core';
import { WeComError } from './common';

/** The app's "receive messages" settings: where clicks are posted and the keys they are encrypted with. */
export interface FakeCallbackTarget {
  url: string;
  token: string;
  encodingAESKey: string;
}

export interface FakeCardUpdate {
  taskId: string;
  responseCode: string;
  at: number;
  atall: boolean;
  userids: string[];
  replaceName?: string;
  templateCard?: Record<string, unknown>;
}

/** One interactive card task as WeCom keeps it: the card, who got it, what it shows now. */
export interface FakeCardTask {
  taskId: string;
  cardType: string;
  card: Record<string, unknown>;
  touser: string[];
  toparty: string[];
  totag: string[];
  sentAt: number;
  /** The grey label that replaced the buttons, per member (`*` = everyone), after updates. */
  replaced: Map<string, string>;
  /** The latest whole-card replacement, if any. */
  current: Record<string, unknown>;
}

export interface FakeCardClick {
  userId: string;
  taskId: string;
  /** The button key (button cards) or the submit key (vote/multiple; default: the card's submit key). */
  eventKey?: string;
  selected?: Array<{ questionKey: string; optionIds: string[] }>;
  /** A click on the card's top-right menu (template_card_menu_event). */
  menu?: boolean;
}

export interface FakeClickResult {
  status: number;
  text: string;
  responseCode: string;
  createTime: number;
  /** Posts the very same encrypted request again (WeCom's redelivery when no answer came in time). */
  redeliver(): Promise<{ status: number; text: string }>;
}

const INTERACTIVE = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;
const TTL_MS = 72 * 3600_000;

/**
 * The interactive-card half of the WeCom fake (alerts-and-cards.md §4): template_card rules for
 * button/vote/multiple cards (task_id charset, length and uniqueness → 42014; required parts, list
 * sizes and unique keys → 40058), a response_code per send and per click (single use, 72 h on the
 * injected clock), message/update_template_card, and clicks posted to the callback URL encrypted
 * and signed as WeCom does. The errcode for a spent/expired/unknown response_code is 40058
 * (**unverified**; WeCom's exact code is not documented in the sources read).
 */
export class FakeCardBook {
  readonly tasks = new Map<string, FakeCardTask>();
  readonly updates: FakeCardUpdate[] = [];
  callback?: FakeCallbackTarget;
  private readonly codes = new Map<string, { taskId: string; issuedAt: number; used: boolean }>();

  constructor(
    private readonly clock: Clock,
    private readonly corpId: string,
    private readonly agentId: number,
  ) {}

  /** Rules checked at message/send for interactive cards; other card types pass. */
  check(card: Record<string, unknown>): void {
    const type = String(card.card_type);
    if (!INTERACTIVE.has(type)) return;
    const taskId = card.task_id;
    if (typeof taskId !== 'string' || !TASK_ID.test(taskId) || this.tasks.has(taskId)) {
      throw new WeComError(42014, 'taskid has existed or empty or exceed max len');
    }
    checkParts(card);
  }

  /** Records a delivered interactive card and returns its response_code (undefined for other cards). */
  sent(card: Record<string, unknown>, touser: string[], toparty: string[], totag: string[]): string | undefined {
    const type = String(card.card_type);
    if (!INTERACTIVE.has(type)) return undefined;
    const taskId = String(card.task_id);
    this.tasks.set(taskId, { taskId, cardType: type, card, touser, toparty, totag, sentAt: this.clock.now(), replaced: new Map(), current: card });
    return this.issue(taskId);
  }

  /** POST /cgi-bin/message/update_template_card */
  update(body: Record<string, unknown>): Record<string, unknown> {
    if (typeof body.agentid !== 'number' || !Number.isInteger(body.agentid)) throw new WeComError(40056, 'invalid agentid');
    if (body.agentid !== this.agentId) throw new WeComError(301002, 'not allow operate another agent with this accesstoken.');
    const code = typeof body.response_code === 'string' ? this.codes.get(body.response_code) : undefined;
    if (!code) throw new WeComError(40058, 'invalid response_code');
    if (code.used) throw new WeComError(40058, 'response_code has been used');
    if (this.clock.now() - code.issuedAt >= TTL_MS) throw new WeComError(40058, 'response_code expired');
    const task = this.tasks.get(code.taskId)!;
    const button = body.button as { replace_name?: unknown } | undefined;
    const card = body.template_card as Record<string, unknown> | undefined;
    if ((button === undefined) === (card === undefined)) throw new WeComError(40058, 'need exactly one of button and template_card');
    if (button !== undefined && (typeof button.replace_name !== 'string' || button.replace_name === '')) throw new WeComError(40058, 'invalid button.replace_name');
    if (card !== undefined) {
      if (typeof card !== 'object' || typeof card.card_type !== 'string') throw new WeComError(40058, 'invalid template_card');
      if (INTERACTIVE.has(card.card_type)) checkParts(card);
    }
    const atall = body.atall === 1;
    const userids = Array.isArray(body.userids) ? body.userids.map(String) : [];
    if (!atall && userids.length === 0 && !Array.isArray(body.partyids) && !Array.isArray(body.tagids)) throw new WeComError(40058, 'no userids, partyids, tagids or atall');
    if (userids.length > 1000) throw new WeComError(40032, 'invalid userids size');
    const invaliduser = atall ? [] : userids.filter((u) => !this.isRecipient(task, u));
    code.used = true;
    const targets = atall ? ['*'] : userids.filter((u) => !invaliduser.includes(u));
    if (button) for (const t of targets) task.replaced.set(t, button.replace_name as string);
    if (card) task.current = card;
    this.updates.push({ taskId: task.taskId, responseCode: String(body.response_code), at: this.clock.now(), atall, userids, ...(button ? { replaceName: button.replace_name as string } : {}), ...(card ? { templateCard: card } : {}) });
    return { errcode: 0, errmsg: 'ok', invaliduser };
  }

  /** What `userId` sees in place of the buttons now (undefined while the buttons are live). */
  replacedFor(taskId: string, userId: string): string | undefined {
    const task = this.tasks.get(taskId);
    return task?.replaced.get(userId) ?? task?.replaced.get('*');
  }

  /** A member clicks: WeCom issues a fresh response_code and posts the encrypted event to the callback URL. */
  async click(click: FakeCardClick, target = this.callback): Promise<FakeClickResult> {
    if (!target) throw new Error('FakeCardBook.click: set wecom.cards.callback (url, token, encodingAESKey) first');
    const task = this.tasks.get(click.taskId);
    if (!task) throw new Error(`FakeCardBook.click: no card with task_id ${click.taskId} was sent`);
    if (!this.isRecipient(task, click.userId)) throw new Error(`FakeCardBook.click: ${click.userId} did not receive ${click.taskId}`);
    const responseCode = this.issue(task.taskId);
    const createTime = Math.floor(this.clock.now() / 1000);
    const eventKey = click.eventKey ?? ((task.card.submit_button as { key?: string } | undefined)?.key ?? '');
    const xml = clickXml({ corpId: this.corpId, agentId: this.agentId, createTime, task, eventKey, responseCode, click });
    const crypto = new WeComCallback({ token: target.token, encodingAESKey: target.encodingAESKey, receiveId: this.corpId });
    const encrypt = crypto.encrypt(xml);
    const timestamp = String(createTime);
    const nonce = String(randomBytes(4).readUInt32BE(0));
    const query = new URLSearchParams({ msg_signature: crypto.sign(timestamp, nonce, encrypt), timestamp, nonce });
    const url = `${target.url}${target.url.includes('?') ? '&' : '?'}${query}`;
    const body = `<xml><ToUserName><![CDATA[${this.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[${this.agentId}]]></AgentID></xml>`;
    const post = async (): Promise<{ status: number; text: string }> => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      return { status: res.status, text: await res.text() };
    };
    const first = await post();
    return { ...first, responseCode, createTime, redeliver: post };
  }

  private issue(taskId: string): string {
    const code = `fake-rc-${randomBytes(12).toString('hex')}`;
    this.codes.set(code, { taskId, issuedAt: this.clock.now(), used: false });
    return code;
  }

  private isRecipient(task: FakeCardTask, userId: string): boolean {
    return task.touser.includes('@all') || task.toparty.length > 0 || task.totag.length > 0 || task.touser.includes(userId);
  }
}

/** Required parts, list sizes and unique keys of the three interactive card types. */
function checkParts(card: Record<string, unknown>): void {
  const fail = (what: string): never => {
    throw new WeComError(40058, `template_card.${what}`);
  };
  const keys = new Set<string>();
  const key = (value: unknown, what: string): void => {
    if (typeof value !== 'string' || value === '' || Buffer.byteLength(value) > 1024 || keys.has(value)) fail(`${what} invalid or repeated`);
    keys.add(value as string);
  };
  const options = (list: unknown, max: number, what: string): void => {
    if (!Array.isArray(list) || list.length < 1 || list.length > max) fail(`${what} size invalid`);
    const ids = new Set<string>();
    for (const o of list as Array<Record<string, unknown>>) {
      if (typeof o.id !== 'string' || o.id === '' || Buffer.byteLength(o.id) > 128 || ids.has(o.id)) fail(`${what}.id invalid`);
      if (typeof o.text !== 'string' || o.text === '') fail(`${what}.text missing`);
      ids.add(o.id as string);
    }
  };
  const title = card.main_title as { title?: unknown } | undefined;
  if (!title || typeof title.title !== 'string' || title.title === '') fail('main_title.title missing');
  switch (card.card_type) {
    case 'button_interaction': {
      const buttons = card.button_list;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) fail('button_list size invalid');
      for (const b of buttons as Array<Record<string, unknown>>) {
        if (typeof b.text !== 'string' || b.text === '') fail('button_list.text missing');
        if (b.type === 1) {
          if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) fail('button_list.url invalid');
        } else key(b.key, 'button_list.key');
      }
      break;
    }
    case 'vote_interaction': {
      const box = card.checkbox as Record<string, unknown> | undefined;
      if (!box) fail('checkbox missing');
      key(box!.question_key, 'checkbox.question_key');
      options(box!.option_list, 20, 'checkbox.option_list');
      break;
    }
    case 'multiple_interaction': {
      const selects = card.select_list;
      if (!Array.isArray(selects) || selects.length < 1 || selects.length > 3) fail('select_list size invalid');
      for (const s of selects as Array<Record<string, unknown>>) {
        key(s.question_key, 'select_list.question_key');
        options(s.option_list, 10, 'select_list.option_list');
      }
      break;
    }
  }
  if (card.card_type !== 'button_interaction') {
    const submit = card.submit_button as Record<string, unknown> | undefined;
    if (!submit || typeof submit.text !== 'string' || submit.text === '') fail('submit_button missing');
    key(submit!.key, 'submit_button.key');
  }
}

function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function clickXml(p: { corpId: string; agentId: number; createTime: number; task: FakeCardTask; eventKey: string; responseCode: string; click: FakeCardClick }): string {
  const selected = p.click.selected?.length
    ? `<SelectedItems>${p.click.selected
        .map((s) => `<SelectedItem><QuestionKey>${cdata(s.questionKey)}</QuestionKey><OptionIds>${s.optionIds.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('')}</OptionIds></SelectedItem>`)
        .join('')}</SelectedItems>`
    : '';
  return (
    `<xml><ToUserName>${cdata(p.corpId)}</ToUserName><FromUserName>${cdata(p.click.userId)}</FromUserName>` +
    `<CreateTime>${p.createTime}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata(p.click.menu ? 'template_card_menu_event' : 'template_card_event')}</Event><EventKey>${cdata(p.eventKey)}</EventKey>` +
    `<TaskId>${cdata(p.task.taskId)}</TaskId><CardType>${cdata(p.task.cardType)}</CardType><ResponseCode>${cdata(p.responseCode)}</ResponseCode>` +
    `<AgentID>${p.agentId}</AgentID>${p.click.menu ? '' : selected}</xml>`
  );
}
