import { createChannel, isNotifyError, type GatewayConfig, type SendResult } from '@wxnotify/core';
import { CliFailure, gatewayJson } from './gateway-http.js';
import { EXIT, UsageError, type CliIo } from './io.js';
import type { CliOptions } from './options.js';

export interface CommandResult {
  exitCode: number;
  /** The --json object; also the source of the text output. */
  json: Record<string, unknown>;
  text: string[];
}

function gatewayChannel(o: CliOptions, code?: string) {
  return createChannel({ type: 'gateway', baseUrl: o.gateway, ...(code ? { code } : {}), ...(o.apiKey ? { apiKey: o.apiKey } : {}) } as GatewayConfig);
}

/** NotifyError from the core's gateway client → CliFailure with a stable exit code. */
function fromNotifyError(error: unknown, o?: CliOptions): CliFailure {
  if (error instanceof CliFailure) return error;
  if (!isNotifyError(error)) throw error;
  if (error.status === 401 && o?.apiKey) return keyRejected(o, error.status);
  const exitCode = error.kind === 'network' ? EXIT.unreachable : error.status === 401 || error.status === 403 || error.status === 404 ? EXIT.denied : EXIT.failed;
  return new CliFailure(`${error.upstreamMessage}${error.hint ? ` (hint: ${error.hint})` : ''}`, exitCode, { code: error.code, status: error.status });
}

/** The gateway refused the key we sent: say so, and which key it was (never the key itself). */
function keyRejected(o: CliOptions, status: number): CliFailure {
  return new CliFailure(`the gateway rejected the API key from ${o.apiKeySource ?? 'the command line'} (unknown or revoked): check the key, or create one with "wxnotify keys create"`, EXIT.denied, { status, code: 'INVALID_API_KEY' });
}

/** gatewayJson, with a 401 for the key we sent told as such. */
async function adminJson(o: CliOptions, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  try {
    return await gatewayJson(o.gateway, method, path, o.apiKey, body);
  } catch (error) {
    if (error instanceof CliFailure && error.details.status === 401 && o.apiKey) throw keyRejected(o, 401);
    throw error;
  }
}

function text(o: CliOptions): string {
  const value = o.message ?? o.positionals.join(' ');
  if (!value.trim()) throw new UsageError('the message is missing: give it as an argument or with --message');
  return value;
}

async function sendToWxids(o: CliOptions, io: CliIo, content: string): Promise<CommandResult> {
  const client = gatewayChannel(o);
  const results: Array<{ wxid: string; ok: boolean; messageId?: string; error?: string }> = [];
  let failure: CliFailure | undefined;
  for (const [i, wxid] of o.wxid.entries()) {
    try {
      const result: SendResult = await client.send({ content, ...(o.title ? { title: o.title } : {}), to: { wxid } });
      results.push({ wxid, ok: true, messageId: result.messageIds[0] });
      if (!o.quiet && o.wxid.length > 1) io.err(`[${i + 1}/${o.wxid.length}] ${wxid} sent`);
    } catch (error) {
      const f = fromNotifyError(error, o);
      failure ??= f;
      results.push({ wxid, ok: false, error: f.message });
      if (!o.quiet && o.wxid.length > 1) io.err(`[${i + 1}/${o.wxid.length}] ${wxid} failed: ${f.message}`);
      if (f.exitCode === EXIT.unreachable || f.exitCode === EXIT.denied) break;
    }
  }
  const sent = results.filter((r) => r.ok).length;
  const ok = !failure;
  return {
    exitCode: failure?.exitCode ?? EXIT.ok,
    json: { ok, sent, failed: o.wxid.length - sent, results },
    text: ok
      ? results.length === 1
        ? [`sent (newMsgId ${results[0]!.messageId ?? '-'})`]
        : [`sent ${sent}/${o.wxid.length}`]
      : [`error: ${failure!.message}`, ...(results.length > 1 ? [`sent ${sent}/${o.wxid.length}`] : [])],
  };
}

async function send(o: CliOptions, io: CliIo): Promise<CommandResult> {
  const routes = [o.wxid.length > 0, Boolean(o.code), Boolean(o.channel)].filter(Boolean).length;
  if (routes !== 1) throw new UsageError('send needs exactly one of --wxid, --code or --channel');
  if (o.wxid.length > 0) {
    if (o.task) {
      // The seed's mock app: run a task, then report that it finished.
      if (!o.quiet) io.err(`task "${o.task}" running…`);
      const started = Date.now();
      await io.sleep(o.durationMs);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      return sendToWxids(o, io, o.message ?? `任务「${o.task}」已完成 (task "${o.task}" finished in ${seconds} s)`);
    }
    return sendToWxids(o, io, text(o));
  }
  if (o.code) {
    try {
      const result = await gatewayChannel(o, o.code).send({ content: text(o), ...(o.title ? { title: o.title } : {}) });
      return { exitCode: EXIT.ok, json: { ok: true, messageIds: result.messageIds }, text: [`sent (msgid ${result.messageIds[0] ?? '-'})`] };
    } catch (error) {
      throw fromNotifyError(error, o);
    }
  }
  if (!o.apiKey) throw new CliFailure('an API key is needed for --channel: set WXNOTIFY_API_KEY or --api-key', EXIT.denied);
  const to = o.to.length === 0 ? undefined : o.to.length === 1 ? o.to[0] : o.to;
  const answer = await adminJson(o, 'POST', `/api/channels/${encodeURIComponent(o.channel!)}/send`, {
    content: text(o),
    ...(o.title ? { title: o.title } : {}),
    ...(to !== undefined ? { to } : {}),
  });
  return { exitCode: EXIT.ok, json: { ok: true, result: answer.result }, text: [`sent via ${o.channel} (${(answer.result?.messageIds ?? []).join(', ') || 'no id'})`] };
}

async function health(o: CliOptions): Promise<CommandResult> {
  const status = await gatewayChannel(o, o.code).check();
  const unreachable = !status.ok && /unreachable/.test(status.message);
  return {
    exitCode: status.ok ? EXIT.ok : unreachable ? EXIT.unreachable : EXIT.failed,
    json: { ok: status.ok, message: status.message },
    text: [`${status.ok ? 'ok' : 'error'}: ${status.message}`],
  };
}

async function codes(o: CliOptions, io: CliIo): Promise<CommandResult> {
  if (!o.apiKey) throw new CliFailure('an API key is needed: set WXNOTIFY_API_KEY, --api-key, or run next to the gateway data dir', EXIT.denied);
  switch (o.sub) {
    case 'list': {
      const answer = await adminJson(o, 'GET', '/admin/api/codes');
      const list = answer.codes as Array<Record<string, any>>;
      return {
        exitCode: EXIT.ok,
        json: { ok: true, codes: list },
        text: list.length === 0 ? ['no Codes'] : list.map((c) => `${c.id}  ${c.hint}  ${c.revokedAt ? 'revoked' : 'active '}  sends=${c.sendCount}  ${c.name}`),
      };
    }
    case 'create': {
      if (o.channel) return createOnChannel(o);
      const corpSecret = io.env.WXNOTIFY_CORP_SECRET;
      if (!o.corpId || !o.agentId) throw new UsageError('codes create needs --corp-id and --agent-id');
      if (!corpSecret) throw new UsageError('set the app secret in WXNOTIFY_CORP_SECRET (it is never taken from the command line)');
      const to = o.all ? { all: true } : { ...(o.user.length ? { users: o.user } : {}), ...(o.party.length ? { parties: o.party } : {}) };
      if (!o.all && o.user.length + o.party.length === 0) throw new UsageError('codes create needs recipients: --user ID, --party ID or --all');
      const answer = await adminJson(o, 'POST', '/admin/api/codes', {
        corpId: o.corpId,
        corpSecret,
        agentId: o.agentId,
        to,
        ...(o.name ? { name: o.name } : {}),
        ...(o.rateLimit ? { rateLimitPerMinute: Number(o.rateLimit) } : {}),
      });
      return {
        exitCode: EXIT.ok,
        json: { ok: true, id: answer.id, code: answer.code, url: answer.examples?.url },
        text: [`id:   ${answer.id}`, `code: ${answer.code}   (shown once: store it like a password)`, `url:  ${answer.examples?.url}`],
      };
    }
    case 'revoke': {
      const id = o.positionals[0];
      if (!id) throw new UsageError('codes revoke needs the Code id (see wxnotify codes list)');
      await adminJson(o, 'DELETE', `/admin/api/codes/${encodeURIComponent(id)}`);
      return { exitCode: EXIT.ok, json: { ok: true, id, revoked: true }, text: [`revoked ${id}`] };
    }
    default:
      throw new UsageError('codes needs list, create or revoke');
  }
}

/** `codes create --channel NAME [--to ID ...] [--name N]`: a Code on a named channel (robot, WxPusher, personal WeChat, JuHe, app). */
async function createOnChannel(o: CliOptions): Promise<CommandResult> {
  const answer = await adminJson(o, 'POST', '/admin/api/codes', {
    channel: o.channel,
    ...(o.to.length ? { to: o.to } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.rateLimit ? { rateLimitPerMinute: Number(o.rateLimit) } : {}),
  });
  const alertsUrl = `${o.gateway.replace(/\/$/, '')}/api/alerts/${answer.code}`;
  return {
    exitCode: EXIT.ok,
    json: { ok: true, id: answer.id, code: answer.code, name: answer.name, channel: answer.channel, channelType: answer.channelType, to: answer.to, url: answer.examples?.url, alertsUrl },
    text: [`id:     ${answer.id}`, `code:   ${answer.code}   (shown once: store it like a password)`, `alerts: ${alertsUrl}`],
  };
}

async function keys(o: CliOptions): Promise<CommandResult> {
  if (!o.apiKey) throw new CliFailure('an admin API key is needed: set WXNOTIFY_API_KEY, --api-key, or run next to the gateway data dir', EXIT.denied);
  switch (o.sub) {
    case 'list': {
      const list = (await adminJson(o, 'GET', '/admin/api/keys')).keys as Array<Record<string, any>>;
      return {
        exitCode: EXIT.ok,
        json: { ok: true, keys: list },
        text: list.length === 0 ? ['no stored keys'] : list.map((k) => `${k.id}  ${k.scope.padEnd(5)}  ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}`),
      };
    }
    case 'create': {
      if (o.scope !== undefined && o.scope !== 'send' && o.scope !== 'admin') throw new UsageError('--scope must be send or admin');
      const answer = await adminJson(o, 'POST', '/admin/api/keys', { ...(o.name ? { name: o.name } : {}), ...(o.scope ? { scope: o.scope } : {}) });
      return {
        exitCode: EXIT.ok,
        json: { ok: true, id: answer.id, key: answer.key, scope: answer.scope },
        text: [`id:    ${answer.id}`, `key:   ${answer.key}   (shown once: store it like a password)`, `scope: ${answer.scope}`],
      };
    }
    case 'revoke': {
      const id = o.positionals[0];
      if (!id) throw new UsageError('keys revoke needs the key id (see wxnotify keys list)');
      await adminJson(o, 'DELETE', `/admin/api/keys/${encodeURIComponent(id)}`);
      return { exitCode: EXIT.ok, json: { ok: true, id, revoked: true }, text: [`revoked ${id}`] };
    }
    default:
      throw new UsageError('keys needs list, create or revoke');
  }
}

export async function runCommand(o: CliOptions, io: CliIo): Promise<CommandResult> {
  switch (o.command) {
    case 'send':
      return send(o, io);
    case 'health':
      return health(o);
    case 'codes':
      return codes(o, io);
    case 'keys':
      return keys(o);
    default:
      throw new UsageError(o.command ? `unknown command "${o.command}"` : 'no command given');
  }
}
