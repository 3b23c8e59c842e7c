import type { ErrorRule, ErrorTable } from '../../engine/error-table';

const config = (hint: string): ErrorRule => ({ action: 'fail', hint });
const TRUSTED_IP =
  "Add {fromIp} to the app's trusted IPs (企业可信IP, app settings in the WeCom admin console), or set baseUrl to a fixed-IP reverse proxy that is listed there.";

/**
 * Every WeCom app errcode we act on: code → action + hint. The pipeline does the action
 * (refresh the token and replay once, retry with backoff, sit out a rate limit, or fail).
 */
export const weComAppErrors: ErrorTable = {
  '-1': { action: 'retry', hint: 'WeCom was busy; the call was retried with backoff.' },
  '6000': { action: 'retry', hint: 'WeCom reported a data version conflict; the call was retried.' },
  '45033': { action: 'retry', hint: 'Too many concurrent calls; retried with jitter. Lower the send concurrency if it persists.' },
  '45009': {
    action: 'rate-limited',
    hint: 'WeCom frequency limit hit; calls for this app wait out the window. Spread sends over time (avoid :00 and :30).',
  },
  '40014': { action: 'refresh-token', hint: 'The access_token was rejected; it was refreshed and the call replayed once.' },
  '42001': { action: 'refresh-token', hint: 'The access_token expired; it was refreshed and the call replayed once.' },
  '41001': { action: 'refresh-token', hint: 'The access_token was missing; it was fetched again and the call replayed once.' },
  '40001': config('The corpSecret is wrong, was reset, or the app is disabled. Copy the Secret of this app again (each app has its own).'),
  '40091': config("The corpSecret belongs to another corp or app. Use this app's Secret."),
  '40013': config('The corpId is invalid. Copy it from My Company → Company Info (starts with "ww").'),
  '41002': config('The corpId is missing.'),
  '41004': config('The corpSecret is missing.'),
  '40056': config('The agentId is invalid. Use the AgentId of the app (a number) whose Secret you configured.'),
  '41011': config('The agentId is missing.'),
  '301002': config('The agentId does not belong to the app of this corpSecret. Use the AgentId and Secret of the same app.'),
  '60020': config(TRUSTED_IP),
  '48002': config('The app lacks permission for this API. Check the app’s API permissions (contacts read for department/user lists).'),
  '48001': config('The app is not authorised for this API.'),
  '48006': config('The API was disabled by the administrator.'),
  '60011': config('Some recipients are outside the app’s visible range; widen the visible range or pick other recipients.'),
  '81013': config('Every user/party/tag was invalid or outside the app’s visible range. Check the ids and the visible range.'),
  '82001': config('No recipient was given (touser, toparty and totag were all empty).'),
  '40003': config('Invalid userid. Use the account id from the member profile, not the display name.'),
  '40031': config('Invalid userid list.'),
  '60111': config('A userid does not exist.'),
  '40032': config('More than 1,000 users in one call (the channel batches at 1,000; report this as a bug).'),
  '82002': config('More than 100 parties in one call (the channel batches at 100; report this as a bug).'),
  '82003': config('More than 100 tags in one call (the channel batches at 100; report this as a bug).'),
  '40008': config('Invalid message type.'),
  '44004': config('The message content is empty.'),
  '45002': config('The content is too large; it must fit 2,048 UTF-8 bytes per message (the channel splits text and markdown).'),
  '40058': config('WeCom rejected a parameter (too long, wrong type, or a msgid of another app on recall).'),
  '40063': config('A required parameter is missing.'),
  '40035': config('A parameter is invalid.'),
  '40033': config('The request contains invalid characters (\\uXXXX escapes).'),
  '40007': config('The media_id is invalid or expired (media lives 3 days); upload the file again.'),
  '40004': config('Invalid media type.'),
  '40005': config('Invalid file type.'),
  '40006': config('Invalid file size (every file must be larger than 5 bytes).'),
  '40009': config('The image is too large (max 10 MB, JPG/PNG).'),
  '40011': config('The video is too large (max 10 MB).'),
  '44001': config('The uploaded file is empty.'),
  '45001': config('The media file is too large.'),
  '42014': config('task_id 已存在、为空或超过 128 字节：每张互动卡片用新的 task_id。 / The card task_id was used before, is empty or too long; use a fresh one per send.'),
  '82004': config('WeCom refused the content as potentially harmful to clients.'),
};

/** gettoken answers some codes differently from the other APIs. */
export const weComGetTokenErrors: ErrorTable = {
  ...weComAppErrors,
  '45009': config(
    'This IP is blocked from gettoken (repeated wrong secrets block it for up to 1 hour). Fix corpId/corpSecret and wait before trying again.',
  ),
};
