import { Body, Controller, Get, Headers, HttpCode, Inject, Ip, Param, Post, UseGuards } from '@nestjs/common';
import { isNotifyError, type SendResult } from '@wxnotify/core';
import { GatewayRuntime } from '../runtime.js';
import { presentedApiKey } from '../services/api-keys.js';
import type { CodeRecord } from '../store/store.js';
import { ApiError, describeSendError, retryAfterHeader, statusForNotifyError } from './api-error.js';
import { channelDelivery, sendThroughCode } from './delivery-meta.js';
import { boundedWait } from './sync-wait.js';
import { limitUnknownCodes, takeCodeSlot } from './code-limits.js';
import { NotifyAuthGuard } from './guards.js';
import { bodyObject, stringField } from './input.js';

const TITLE_MAX_BYTES = 512;

/** The seeds' own answer texts (clients and scripts written for them match on these). */
const SEED_TEXT = {
  sent: '消息发送成功',
  sendFailed: '发送消息失败：',
  codeSent: '发送成功',
  unknownCode: '配置不存在,请检查Code是否正确',
  weComFailed: '企业微信API调用失败',
};

/** `data` of the seed-000 answer: the first delivered message's ids, as strings. */
function wechatIds(result: SendResult): { newMsgId: string | null; msgId: string | null } {
  const details = (result.details ?? {}) as { newMsgId?: string; msgId?: string };
  return { newMsgId: details.newMsgId ?? result.messageIds[0] ?? null, msgId: details.msgId ?? null };
}

/** The seed-001 `response`: the upstream answer as WeCom shapes it. */
function weComResponse(result: SendResult): Record<string, unknown> {
  const ids = (target: string, reason: string) =>
    result.partialFailures
      .filter((f) => f.target === target && f.reason === reason)
      .map((f) => f.id)
      .join('|');
  const response: Record<string, unknown> = { errcode: 0, errmsg: 'ok', msgid: result.messageIds[0] ?? '' };
  const fields = [
    ['invaliduser', 'user', 'invalid'],
    ['invalidparty', 'party', 'invalid'],
    ['invalidtag', 'tag', 'invalid'],
    ['unlicenseduser', 'user', 'unlicensed'],
  ] as const;
  for (const [key, target, reason] of fields) {
    const list = ids(target, reason);
    if (list) response[key] = list;
  }
  if (result.messageIds.length > 1) response.msgids = result.messageIds;
  if (result.parts > 1) response.parts = result.parts;
  return response;
}

@Controller('api/notify')
export class NotifyController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  /** Seed 000: `{wxid, content}` → the personal-WeChat channel. */
  @Post()
  @HttpCode(200)
  @UseGuards(NotifyAuthGuard)
  async notifyWechat(@Body() raw: unknown): Promise<Record<string, unknown>> {
    const body = bodyObject(raw);
    const wxid = stringField(body, 'wxid', { required: true, maxBytes: 128 })!;
    const title = stringField(body, 'title', { maxBytes: TITLE_MAX_BYTES });
    const content = stringField(body, 'content', { required: true, maxBytes: this.rt.config.maxContentBytes })!;
    const channel = this.rt.config.wechatChannel;
    if (!channel || !this.rt.channels.has(channel)) {
      throw new ApiError(503, { success: false, code: 'NO_WECHAT_CHANNEL', message: '发送消息失败：未配置个人微信通道', hint: 'No personal-WeChat channel is configured: set GEWECHAT_BASE_URL, GEWECHAT_TOKEN and GEWECHAT_APP_ID.' });
    }
    const notification = { ...(title ? { title } : {}), content, format: 'text' as const, to: wxid.trim() };
    try {
      const result = await this.rt.deliveries.record(channelDelivery(this.rt.channels, channel, 'POST /api/notify', notification.to), notification, () =>
        this.rt.recorder.record(channel, () => boundedWait(this.rt.config, () => this.rt.channels.send(channel, notification))),
      );
      return { success: true, message: SEED_TEXT.sent, data: wechatIds(result) };
    } catch (error) {
      const detail = describeSendError(error);
      const status = isNotifyError(error) ? statusForNotifyError(error) : 500;
      // Seed 000 wording: "发送消息失败：用户未登录" (the upstream's own prefix is not repeated).
      const reason = detail.message.replace(/^(发送消息失败|操作失败)\s*[:：]\s*/, '');
      throw new ApiError(
        status,
        { success: false, message: `${SEED_TEXT.sendFailed}${reason}`, code: detail.code, ...(detail.hint ? { hint: detail.hint } : {}), ...(detail.retryAfterSeconds ? { retryAfterSeconds: detail.retryAfterSeconds } : {}) },
        retryAfterHeader(error),
      );
    }
  }

  /** Seed 001: `{title?, content}` → the WeCom app behind the Code. */
  @Post(':code')
  @HttpCode(200)
  async notifyByCode(
    @Param('code') code: string,
    @Body() raw: unknown,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Ip() ip: string,
  ): Promise<Record<string, unknown>> {
    const record = await this.activeCode(code, headers, ip);
    const body = bodyObject(raw);
    const title = stringField(body, 'title', { maxBytes: TITLE_MAX_BYTES });
    const content = stringField(body, 'content', { required: true, maxBytes: this.rt.config.maxContentBytes })!;
    try {
      const result = await sendThroughCode(this.rt, record, 'POST /api/notify/{code}', { title, content });
      return { success: true, message: SEED_TEXT.codeSent, response: weComResponse(result) };
    } catch (error) {
      const detail = describeSendError(error);
      if (isNotifyError(error) && error.kind === 'validation') {
        throw new ApiError(400, { success: false, message: detail.message, code: detail.code, ...(detail.hint ? { hint: detail.hint } : {}) });
      }
      // Seed 001: a failed WeCom call is a 500 with the upstream answer in the body; a rate-limit
      // window that was not waited out is a 429 with Retry-After (nothing was sent).
      const limited = detail.retryAfterSeconds !== undefined;
      throw new ApiError(limited ? 429 : 500, {
        success: false,
        message: `${SEED_TEXT.weComFailed}: ${detail.message}`,
        code: detail.code,
        ...(detail.hint ? { hint: detail.hint } : {}),
        retryable: detail.retryable ?? false,
        ...(limited ? { retryAfterSeconds: detail.retryAfterSeconds } : {}),
        response: { errcode: detail.code, errmsg: detail.message },
      }, retryAfterHeader(error));
    }
  }

  /**
   * Whether a Code is valid, without sending anything (credential tests, e.g. n8n's): 200
   * `{valid: true, name, channel}`, or the 401/404/429 the send route would give.
   */
  @Get(':code/check')
  async checkCode(@Param('code') code: string, @Headers() headers: Record<string, string | string[] | undefined>, @Ip() ip: string): Promise<Record<string, unknown>> {
    const record = await this.activeCode(code, headers, ip);
    return { success: true, valid: true, name: record.name, channel: record.channelType };
  }

  /** The Code's active record, under its rate limit; 401 / 404 / 429 otherwise. */
  private async activeCode(code: string, headers: Record<string, string | string[] | undefined>, ip: string): Promise<CodeRecord> {
    // The Code authorises these routes; an API key sent along must still be a valid one.
    const presented = presentedApiKey(headers);
    if (presented !== undefined && !(await this.rt.apiKeys.verify(presented))) {
      throw ApiError.of(401, 'INVALID_API_KEY', 'The API key sent with this request was rejected (the Code alone is enough here).');
    }
    const record = await this.rt.codes.resolve(code);
    if (!record) {
      await limitUnknownCodes(this.rt, ip);
      throw new ApiError(404, { success: false, code: 'UNKNOWN_CODE', message: SEED_TEXT.unknownCode, hint: 'No active config has this Code: check it, or create one on the gateway page.' });
    }
    await takeCodeSlot(this.rt, record);
    return record;
  }
}
