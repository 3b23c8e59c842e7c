import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from './io.js';

export const HELP = `wxnotify: send notifications through a wxnotify gateway

Usage:
  wxnotify send --wxid ID [--wxid ID ...] --message TEXT      personal WeChat (POST /api/notify)
  wxnotify send --wxid ID --task NAME [--duration MS]         simulate a task, then report its completion
  wxnotify send --code CODE [--title TITLE] TEXT               WeCom app behind a config Code
  wxnotify send --channel NAME [--to ID] [--title T] TEXT      any configured channel (API key)
  wxnotify health [--code CODE]                                GET /health (with --code: is the Code valid? nothing is sent)
  wxnotify codes list
  wxnotify codes create --corp-id ID --agent-id N (--user ID ... | --party ID ... | --all) [--name NAME]
                        (the app secret comes from WXNOTIFY_CORP_SECRET, never from the command line)
  wxnotify codes create --channel NAME [--to ID ...] [--name NAME]
                        a Code on a named channel: robot (no --to), WxPusher (UID_…/topic:N),
                        personal WeChat (wxid), JuHe (S:…/R:…), WeCom app (userid, party:N, tag:N)
  wxnotify codes revoke ID
  wxnotify keys list | keys create [--name NAME] [--scope send|admin] | keys revoke ID
                        (new keys have the send scope: the send routes only; admin keys also manage Codes and keys)

Options:
  --gateway URL    gateway origin (env WXNOTIFY_GATEWAY_URL; default http://127.0.0.1:$PORT or :8080)
  --api-key KEY    API key (env WXNOTIFY_API_KEY; default: the api-key file in WXNOTIFY_DATA_DIR or ./data)
  --json           one JSON object on stdout instead of text
  --quiet          no progress output
  -h, --help
  -v, --version

Exit codes: 0 ok, 1 send failed or unhealthy, 2 usage error, 3 gateway unreachable, 4 denied (API key, Code or channel)`;

export interface CliOptions {
  command: string;
  sub?: string;
  positionals: string[];
  gateway: string;
  apiKey?: string;
  /** Where the API key came from, to say which key was rejected. */
  apiKeySource?: string;
  json: boolean;
  quiet: boolean;
  wxid: string[];
  message?: string;
  task?: string;
  durationMs: number;
  code?: string;
  channel?: string;
  to: string[];
  title?: string;
  corpId?: string;
  agentId?: string;
  user: string[];
  party: string[];
  all: boolean;
  name?: string;
  scope?: string;
  rateLimit?: string;
  help: boolean;
  version: boolean;
}

function localApiKey(env: CliIo['env']): { key: string; source: string } | undefined {
  // `npm exec -w` runs in the workspace folder; INIT_CWD is where the user typed the command.
  const file = join(resolve(env.INIT_CWD || '.', env.WXNOTIFY_DATA_DIR || 'data'), 'api-key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    return key ? { key, source: file } : undefined;
  } catch {
    return undefined;
  }
}

function apiKeyOf(flag: string | undefined, env: CliIo['env']): { key?: string; source?: string } {
  if (flag !== undefined) return { key: flag, source: '--api-key' };
  if (env.WXNOTIFY_API_KEY !== undefined) return { key: env.WXNOTIFY_API_KEY, source: 'WXNOTIFY_API_KEY' };
  return localApiKey(env) ?? {};
}

export function parseCli(argv: string[], io: CliIo): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        gateway: { type: 'string' },
        'api-key': { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        wxid: { type: 'string', multiple: true },
        message: { type: 'string', short: 'm' },
        task: { type: 'string' },
        duration: { type: 'string' },
        code: { type: 'string' },
        channel: { type: 'string' },
        to: { type: 'string', multiple: true },
        title: { type: 'string' },
        'corp-id': { type: 'string' },
        'agent-id': { type: 'string' },
        user: { type: 'string', multiple: true },
        party: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        name: { type: 'string' },
        scope: { type: 'string' },
        'rate-limit': { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const [command = '', ...rest] = parsed.positionals;
  const sub = command === 'codes' || command === 'keys' ? rest.shift() : undefined;
  // Seed 000's test tool took the full endpoint (`--url http://host:9000/api/notify`): accept it.
  const fromUrl = v.url ? v.url.replace(/\/api\/notify\/?$/, '') : undefined;
  const gateway = (v.gateway ?? fromUrl ?? io.env.WXNOTIFY_GATEWAY_URL ?? `http://127.0.0.1:${io.env.PORT || 8080}`).replace(/\/+$/, '');
  const duration = v.duration === undefined ? 1500 : Number(v.duration);
  if (!Number.isInteger(duration) || duration < 0 || duration > 600_000) throw new UsageError('--duration must be milliseconds (0..600000)');
  const apiKey = apiKeyOf(v['api-key'], io.env);
  return {
    command,
    sub,
    positionals: rest,
    gateway,
    apiKey: apiKey.key || undefined,
    apiKeySource: apiKey.source,
    json: v.json ?? false,
    quiet: v.quiet ?? false,
    wxid: v.wxid ?? [],
    message: v.message,
    task: v.task,
    durationMs: duration,
    code: v.code,
    channel: v.channel,
    to: v.to ?? [],
    title: v.title,
    corpId: v['corp-id'],
    agentId: v['agent-id'],
    user: v.user ?? [],
    party: v.party ?? [],
    all: v.all ?? false,
    name: v.name,
    scope: v.scope,
    rateLimit: v['rate-limit'],
    help: v.help ?? false,
    version: v.version ?? false,
  };
}
