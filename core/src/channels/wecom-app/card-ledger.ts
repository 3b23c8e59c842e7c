import type { Clock } from '../../engine/clock';
import { validationError, type NotifyError } from '../../model/notify-error';
import { WECOM_APP_LIMITS as L } from './config';

const CHANNEL = 'wecom-app';

/**
 * What this process knows about its interactive cards: the task ids it sent (WeCom never accepts
 * one twice), when each response code was issued (by a send or a click) and which codes were
 * spent on an update. WeCom accepts a code once, within 72 h; reusing a task id or claiming a spent
 * or expired code fails here, before the request, with a typed error.
 * Bounded: the oldest entries are forgotten first.
 */
export class CardLedger {
  private readonly taskIds = new Map<string, number>();
  private readonly issuedAt = new Map<string, number>();
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 20_000,
  ) {}

  /** Reserves `taskId` for one send; a second send with it fails. */
  useTaskId(taskId: string): void {
    if (this.taskIds.has(taskId)) {
      throw validationError(
        CHANNEL,
        'CARD_TASK_ID_USED',
        `template_card.task_id "${taskId}" was already sent (task ids are unique per app, forever)`,
        '每张卡片需要新的 task_id；不传 taskId 时会自动生成。 / Leave taskId out to get a fresh one per send.',
      );
    }
    remember(this.taskIds, taskId, this.clock.now(), this.maxEntries);
  }

  /** Records a code WeCom handed out at `at` (ms). */
  issued(code: string, at = this.clock.now()): void {
    if (!this.issuedAt.has(code)) remember(this.issuedAt, code, at, this.maxEntries);
  }

  /**
   * Marks `code` as spent for one update. `issuedAt` (ms) covers codes this process never saw,
   * e.g. one persisted before a restart or taken from a click's CreateTime.
   */
  claim(code: string, issuedAt?: number): void {
    if (this.spent.has(code)) throw responseCodeUsed();
    const at = this.issuedAt.get(code) ?? issuedAt;
    if (at !== undefined && this.clock.now() - at >= L.cardResponseCodeTtlSeconds * 1000) throw responseCodeExpired();
    remember(this.spent, code, this.clock.now(), this.maxEntries);
  }

  /** Gives a claimed code back when WeCom refused the update before using it. */
  release(code: string): void {
    this.spent.delete(code);
  }
}

function remember(map: Map<string, number>, key: string, value: number, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

export function responseCodeUsed(): NotifyError {
  return validationError(
    CHANNEL,
    'CARD_RESPONSE_CODE_USED',
    'this response_code was already used for an update (each code works once)',
    '每个 response_code 只能用一次：用最新一次点击回调里的 ResponseCode。 / Use the ResponseCode of the latest click.',
  );
}

export function responseCodeExpired(): NotifyError {
  return validationError(
    CHANNEL,
    'CARD_RESPONSE_CODE_EXPIRED',
    'this response_code is older than 72 hours',
    'response_code 72 小时后失效，卡片已无法更新；请发一张新卡片。 / The card can no longer be updated; send a new card.',
  );
}
