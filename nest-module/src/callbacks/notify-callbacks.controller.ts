import { Controller, Get, Inject, Param, Post, Query, Req, Res, type Type } from '@nestjs/common';
import { isNotifyError, parseWeComHookCallback, parseWxPusherCallback, verifyCallbackSecret, WeComCryptoError, type CallbackQuery } from '@wxnotify/core';
import type { IncomingMessage } from 'node:http';
import { NotifyCallbacksService } from './notify-callbacks.service.js';
import { readRawBody } from './raw-body.js';

/** The part of Express' and Fastify's reply objects used here. */
interface ReplyLike {
  status(code: number): ReplyLike;
  type(contentType: string): ReplyLike;
  send(body?: string): unknown;
}

function reply(res: ReplyLike, status: number, body = ''): void {
  res.status(status).type('text/plain; charset=utf-8').send(body);
}

/** Bad signatures and foreign receiveids are 403; malformed input 400; the body stays empty. */
function rejection(error: unknown): number {
  if (error instanceof WeComCryptoError) return ['BAD_SIGNATURE', 'BAD_RECEIVEID', 'STALE_TIMESTAMP'].includes(error.code) ? 403 : 400;
  if (isNotifyError(error) && error.kind === 'validation') return 400;
  return 500;
}

/** Builds the callback controller under `path` (set by `NotifyCallbacksModule.forRoot`). */
export function createCallbacksController(path: string): Type<unknown> {
  @Controller(path)
  class NotifyCallbacksController {
    constructor(@Inject(NotifyCallbacksService) private readonly callbacks: NotifyCallbacksService) {}

    /** WeCom URL verification: answer the decrypted echostr as the bare body, nothing else. */
    @Get('wecom')
    verifyWeCom(@Query() query: CallbackQuery, @Res() res: ReplyLike): void {
      const wecom = this.callbacks.wecom;
      if (!wecom) return reply(res, 404);
      try {
        reply(res, 200, wecom.verifyUrl(query));
      } catch (error) {
        reply(res, rejection(error));
      }
    }

    /** WeCom message push: verify, decrypt, re-emit, answer an empty 200. */
    @Post('wecom')
    async receiveWeCom(@Query() query: CallbackQuery, @Req() req: IncomingMessage, @Res() res: ReplyLike): Promise<void> {
      const wecom = this.callbacks.wecom;
      if (!wecom) return reply(res, 404);
      try {
        const message = wecom.decryptMessage(query, await readRawBody(req));
        const click = this.callbacks.cards.accept(message);
        reply(res, 200);
        this.callbacks.publish({ source: 'wecom', message });
        if (click && !click.duplicate) void this.callbacks.cardClicked(click.event);
      } catch (error) {
        reply(res, rejection(error));
      }
    }

    @Post('wxpusher/:secret')
    async receiveWxPusher(@Param('secret') secret: string, @Req() req: IncomingMessage, @Res() res: ReplyLike): Promise<void> {
      const expected = this.callbacks.options.wxpusher?.secret;
      if (!expected || !verifyCallbackSecret(expected, secret)) return reply(res, 404);
      try {
        const event = parseWxPusherCallback(await readRawBody(req));
        reply(res, 200);
        this.callbacks.publish({ source: 'wxpusher', event });
      } catch (error) {
        reply(res, rejection(error));
      }
    }

    @Post('gewechat/:secret')
    async receiveGewechat(@Param('secret') secret: string, @Req() req: IncomingMessage, @Res() res: ReplyLike): Promise<void> {
      const expected = this.callbacks.options.gewechat?.secret;
      if (!expected || !verifyCallbackSecret(expected, secret)) return reply(res, 404);
      try {
        const receipt = this.callbacks.gewechat.accept(await readRawBody(req));
        reply(res, 200);
        if (!receipt.duplicate) this.callbacks.publish({ source: 'gewechat', event: receipt.event });
      } catch (error) {
        reply(res, rejection(error));
      }
    }

    @Post('juhe/:secret')
    async receiveJuhe(@Param('secret') secret: string, @Req() req: IncomingMessage, @Res() res: ReplyLike): Promise<void> {
      const expected = this.callbacks.options.juhe?.secret;
      if (!expected || !verifyCallbackSecret(expected, secret)) return reply(res, 404);
      try {
        const callback = parseWeComHookCallback(await readRawBody(req));
        reply(res, 200);
        if (callback.kind === 'event') {
          this.callbacks.publish({ source: 'juhe', kind: 'event', callback });
          return;
        }
        for (const message of callback.messages) {
          if (this.callbacks.juheDedupe.isDuplicate(message.dedupeKey)) continue;
          this.callbacks.publish({ source: 'juhe', kind: 'message', guid: callback.guid, notifyType: callback.notifyType, message });
        }
      } catch (error) {
        reply(res, rejection(error));
      }
    }
  }
  return NotifyCallbacksController;
}
