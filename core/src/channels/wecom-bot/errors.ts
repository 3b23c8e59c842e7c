import type { ErrorRule, ErrorTable } from '../../engine/error-table';

const fail = (hint: string): ErrorRule => ({ action: 'fail', hint });

/** Every robot errcode we act on: code → action + hint. */
export const weComBotErrors: ErrorTable = {
  '93000': fail(
    'The robot key is invalid or the robot was removed from the group. Use only the value after key= (a full URL pasted where the key belongs is the most common cause), and check the robot still exists.',
  ),
  '93004': fail('The robot is disabled in the group settings.'),
  '93008': fail('The robot is not in the group any more.'),
  '45009': {
    action: 'rate-limited',
    hint: 'The robot took more than 20 messages in a minute; sends on this key waited out the window. Send less often or use several robots.',
  },
  '-1': { action: 'retry', hint: 'WeCom was busy; the call was retried with backoff.' },
  '45033': { action: 'retry', hint: 'Too many concurrent calls; retried with jitter.' },
  '40008': fail('Invalid message type.'),
  '44004': fail('The message content is empty.'),
  '40058': fail('WeCom rejected a field (too long, malformed JSON or a wrong image md5).'),
  '45002': fail('The content is too large (text 2,048 bytes, markdown 4,096 bytes; the channel splits them).'),
  '40007': fail('The media_id is invalid or expired, or was uploaded with another robot key; upload the file again.'),
  '40004': fail('Invalid media type (file or voice).'),
  '40006': fail('Invalid file size (more than 5 bytes; file ≤ 20 MB, voice ≤ 2 MB).'),
  '40009': fail('The image is too large (2 MB raw, JPG/PNG).'),
  '41005': fail('The upload had no part named "media".'),
};
