import { RedisStore } from 'rate-limit-redis';
import type { Options as RateLimitOptions } from 'express-rate-limit';
import { orUnavailable } from '../../shared/errors.js';
import { masters, type RedisClient } from '../../shared/redis.js';
import { RateLimited } from '../errors.js';

export interface MissRateLimitOptions {
  /** Misses a client may cause per window; 0 turns the limit off. */
  limit: number;
  windowS: number;
  /** Key prefix of the counters. */
  prefix: string;
}

/** express-rate-limit's Redis store, spoken to through ioredis, a single Redis or a Cluster alike. */
function redisStore(redis: RedisClient, prefix: string): RedisStore {
  return new RedisStore({
    prefix,
    sendCommandCluster: async ({ command: [name, ...args] }) => {
      // A script must be known to whichever master a client's counter lands on: load it on all.
      if (name === 'SCRIPT') {
        const replies = await Promise.all((await masters(redis)).map((node) => node.call(name, ...args)));
        return replies[0] as string;
      }
      return redis.call(name!, ...args) as Promise<string | number>;
    },
  });
}

/**
 * Per-client limit on misses, the requests that cost a model run, shared by every gateway replica
 * through Redis (express-rate-limit's Redis store and its atomic counter script). Applied after the
 * cache lookup, which a middleware in front of the handler cannot see: hits are never limited here,
 * and cost no counter round trip.
 */
export class MissRateLimit {
  private readonly store: RedisStore;
  private ready: Promise<void> | undefined;

  constructor(
    redis: RedisClient,
    private readonly options: MissRateLimitOptions,
  ) {
    this.store = redisStore(redis, options.prefix);
  }

  /** Counts one miss for `client`; throws RateLimited (429, Retry-After) past the limit. */
  async take(client: string): Promise<void> {
    if (this.options.limit === 0) return;
    await orUnavailable(() => this.init());
    const { totalHits, resetTime } = await orUnavailable(() => this.store.increment(client));
    if (totalHits <= this.options.limit) return;
    const retryAfterS = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
    throw new RateLimited(this.options.limit, this.options.windowS, retryAfterS);
  }

  /** Loads the store's scripts once; a failed load (Redis down) is tried again on the next miss. */
  private init(): Promise<void> {
    this.ready ??= this.store
      .init({ windowMs: this.options.windowS * 1000 } as RateLimitOptions)
      .catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
    return this.ready;
  }
}
