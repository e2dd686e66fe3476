import type { Redis } from "ioredis";
import type { Intent, IntentJournal } from "../../ports.ts";

/**
 * The intent journal in Redis: one hash per repository (`intents:<owner/name>`), a field per
 * rollout holding the intent as JSON. Stage changes are a Lua compare-and-set, so of two replicas
 * finishing the same half-done rollback exactly one wins the dispatch.
 */

const ADVANCE = `
local raw = redis.call("hget", KEYS[1], ARGV[1])
if not raw then return 0 end
local intent = cjson.decode(raw)
if intent.id ~= ARGV[2] then return 0 end
local allowed = cjson.decode(ARGV[3])
local ok = false
for _, stage in ipairs(allowed) do if intent.stage == stage then ok = true end end
if not ok then return 0 end
intent.stage = ARGV[4]
for k, v in pairs(cjson.decode(ARGV[5])) do intent[k] = v end
redis.call("hset", KEYS[1], ARGV[1], cjson.encode(intent))
return 1`;

const CLEAR = `
local raw = redis.call("hget", KEYS[1], ARGV[1])
if not raw then return 0 end
if cjson.decode(raw).id ~= ARGV[2] then return 0 end
return redis.call("hdel", KEYS[1], ARGV[1])`;

export class RedisIntentJournal implements IntentJournal {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async record(intent: Intent): Promise<void> {
    await this.#redis.hset(`intents:${intent.repo}`, intent.rollout, JSON.stringify(intent));
  }

  async advance(
    repo: string,
    rollout: string,
    id: string,
    from: Intent["stage"][],
    next: Intent["stage"],
    changes: Partial<Pick<Intent, "commit" | "attempts" | "at">> = {},
  ): Promise<boolean> {
    const done = await this.#redis.eval(
      ADVANCE,
      1,
      `intents:${repo}`,
      rollout,
      id,
      JSON.stringify(from),
      next,
      JSON.stringify(changes),
    );
    return done === 1;
  }

  async clear(repo: string, rollout: string, id: string): Promise<void> {
    await this.#redis.eval(CLEAR, 1, `intents:${repo}`, rollout, id);
  }

  async list(repo: string): Promise<Intent[]> {
    const all = await this.#redis.hgetall(`intents:${repo}`);
    return Object.values(all).map((text) => JSON.parse(text) as Intent);
  }
}
