import { orUnavailable } from '../../shared/errors.js';
import type { RedisClient } from '../../shared/redis.js';
import { RateLimited } from '../../shared/errors.js';

/**
 * KEYS[1] the client's counter; ARGV[1] the cost, ARGV[2] the window in ms, ARGV[3] the limit. A
 * fixed window, as express-rate-limit's Redis store counts, but by any cost (that store adds 1 per
 * call). A cost that does not fit is not spent, so a refused request costs no budget and writes
 * nothing. Returns the total spent (-1 when refused) and the ms until the window resets.
 */
const SPEND_LUA = `
local cost = tonumber(ARGV[1])
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
if spent + cost > tonumber(ARGV[3]) then
  return { -1, redis.call('PTTL', KEYS[1]) }
end
local total = redis.call('INCRBY', KEYS[1], cost)
if total == cost then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return { total, redis.call('PTTL', KEYS[1]) }
`;

interface Spend {
  spendBudget(key: string, cost: number, windowMs: number, limit: number): Promise<[number, number]>;
}

/**
 * ioredis sends EVALSHA and, on NOSCRIPT (script cache flushed, failover), EVAL with the script
 * itself, on every call: there is no loaded-script state to lose, so a failure of one call never
 * outlives it (rate-limit-redis kept a failed SCRIPT LOAD's promise and answered 503 until restart).
 */
function withSpend(redis: RedisClient): RedisClient & Spend {
  if (!('spendBudget' in redis)) redis.defineCommand('spendBudget', { numberOfKeys: 1, lua: SPEND_LUA });
  return redis as RedisClient & Spend;
}

export interface ClientBudgetOptions {
  /** Units a client may spend per window; 0 turns the budget off. */
  limit: number;
  windowS: number;
  /** The counter of one client (one key per client per window): KeySpace.rateLimit. */
  counterKey: (client: string) => string;
  /** What a unit is, for the 429's message (e.g. "uncached applicants"). */
  units: string;
}

/**
 * A per-client budget of cost units per window, shared by every gateway replica through one
 * counter per client on the Redis that never evicts (an evicted counter would let a client past
 * its limit). A request is refused when its cost would take the client past the limit.
 */
export class ClientBudget {
  /** Defined once, before any traffic: see ClaimStore.scripts (redis/ioredis#1931). */
  private readonly redis: RedisClient & Spend;

  constructor(
    redis: RedisClient,
    private readonly options: ClientBudgetOptions,
  ) {
    this.redis = withSpend(redis);
  }

  /** Spends `cost` units of `client`'s budget; throws RateLimited (429, Retry-After) past the limit. */
  async take(client: string, cost = 1): Promise<void> {
    const { limit, windowS, counterKey, units } = this.options;
    if (limit === 0 || cost <= 0) return;
    const [total, ttlMs] = await orUnavailable(() =>
      this.redis.spendBudget(counterKey(client), cost, windowS * 1000, limit),
    );
    if (total >= 0) return;
    throw new RateLimited(`${limit} ${units}`, windowS, Math.max(1, Math.ceil(ttlMs / 1000)));
  }
}
