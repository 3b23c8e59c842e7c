import type { Redis } from 'ioredis';
import type { AskStore, LateUpdate } from './ask-store.js';
import type { AskOutcome, PendingQuestion } from './ask.types.js';

/** GET + DEL of the question and its removal from the deadline index, in one step: one taker only. */
const TAKE = `
local value = redis.call('GET', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if value then redis.call('DEL', KEYS[1]) end
return value`;

const TAKE_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local taken = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[3] .. id
  local value = redis.call('GET', key)
  if value then
    redis.call('DEL', key)
    table.insert(taken, value)
  end
end
return taken`;

const GET_DEL = `
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`;

type ScriptRedis = Redis & {
  wxnotifyAskTake(key: string, due: string, taskId: string): Promise<string | null>;
  wxnotifyAskTakeDue(due: string, now: number, limit: number, keyPrefix: string): Promise<string[]>;
  wxnotifyAskGetDel(key: string): Promise<string | null>;
};

export interface RedisAskStoreOptions {
  /** Key prefix, the queue's (`queue.prefix`). Default `wxnotify`. */
  prefix?: string;
}

/**
 * Open questions on Redis (queue mode): `<prefix>:ask:q:<taskId>` (JSON) indexed by deadline in
 * the sorted set `<prefix>:ask:due`, ended ones under `<prefix>:ask:done:<taskId>` for late clicks,
 * and every end published on `<prefix>:ask:finished` so the asking process resolves its promise
 * wherever the click landed. Open questions have no TTL: they leave only when taken.
 */
export class RedisAskStore implements AskStore {
  readonly durable = true;
  private readonly redis: ScriptRedis;
  private readonly prefix: string;
  private readonly listeners: Array<(outcome: AskOutcome) => void> = [];
  private subscribed?: Promise<unknown>;

  /** `redis` for commands, `subscriber` a second connection for pub/sub; both are closed by `close()`. */
  constructor(
    redis: Redis,
    private readonly subscriber: Redis,
    options: RedisAskStoreOptions = {},
  ) {
    this.redis = redis as ScriptRedis;
    this.prefix = `${options.prefix ?? 'wxnotify'}:ask`;
    if (!('wxnotifyAskTake' in redis)) {
      redis.defineCommand('wxnotifyAskTake', { numberOfKeys: 2, lua: TAKE });
      redis.defineCommand('wxnotifyAskTakeDue', { numberOfKeys: 1, lua: TAKE_DUE });
      redis.defineCommand('wxnotifyAskGetDel', { numberOfKeys: 1, lua: GET_DEL });
    }
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const outcome = parse<AskOutcome>(message);
      if (outcome) for (const listener of this.listeners) listener(outcome);
    });
  }

  /** Resolves once this process hears every `finish` (call before the first question is asked). */
  ready(): Promise<unknown> {
    this.subscribed ??= this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    return this.subscribed;
  }

  async save(question: PendingQuestion): Promise<void> {
    await this.ready();
    await execAll(this.redis.multi().set(this.questionKey(question.taskId), JSON.stringify(question)).zadd(this.dueKey, question.deadline, question.taskId));
  }

  async refresh(question: PendingQuestion): Promise<void> {
    await this.redis.set(this.questionKey(question.taskId), JSON.stringify(question), 'XX');
  }

  async take(taskId: string): Promise<PendingQuestion | undefined> {
    return parse<PendingQuestion>(await this.redis.wxnotifyAskTake(this.questionKey(taskId), this.dueKey, taskId));
  }

  async takeDue(now: number, limit: number): Promise<PendingQuestion[]> {
    const taken = await this.redis.wxnotifyAskTakeDue(this.dueKey, now, limit, this.questionKey(''));
    return taken.map((raw) => parse<PendingQuestion>(raw)).filter((q): q is PendingQuestion => q !== undefined);
  }

  async finish(outcome: AskOutcome, ttlMs: number): Promise<void> {
    const message = JSON.stringify(outcome);
    await execAll(this.redis.multi().set(`${this.prefix}:done:${outcome.taskId}`, message, 'PX', ttlMs).publish(this.channel, message));
  }

  async outcome(taskId: string): Promise<AskOutcome | undefined> {
    return parse<AskOutcome>(await this.redis.get(`${this.prefix}:done:${taskId}`));
  }

  async setLateUpdate(taskId: string, update: LateUpdate, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}:late:${taskId}`, JSON.stringify(update), 'PX', ttlMs);
  }

  async takeLateUpdate(taskId: string): Promise<LateUpdate | undefined> {
    return parse<LateUpdate>(await this.redis.wxnotifyAskGetDel(`${this.prefix}:late:${taskId}`));
  }

  onFinished(listener: (outcome: AskOutcome) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
    // A reconnecting client would hold QUIT until Redis is back: drop it instead.
    await Promise.all([this.subscriber, this.redis].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())));
  }

  private get channel(): string {
    return `${this.prefix}:finished`;
  }

  private get dueKey(): string {
    return `${this.prefix}:due`;
  }

  private questionKey(taskId: string): string {
    return `${this.prefix}:q:${taskId}`;
  }
}

/** A MULTI's replies carry their errors instead of throwing them. */
async function execAll(multi: ReturnType<Redis['multi']>): Promise<void> {
  for (const [error] of (await multi.exec()) ?? []) if (error) throw error;
}

function parse<T>(raw: string | null | undefined): T | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}
