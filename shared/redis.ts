import { Redis, type Cluster, type RedisOptions } from 'ioredis';

/** A connection to a single Redis or to a Redis Cluster; everything above shared/ takes either. */
export type RedisClient = Redis | Cluster;

/**
 * How a connection behaves when Redis is away:
 * - `request`: the gateway's cache reads and queue adds fail at once (no offline queue), so a client
 *   gets a quick 503 instead of waiting on a reconnect;
 * - `blocking`: BullMQ workers and QueueEvents, which block on Redis and must retry forever.
 */
export type RedisRole = 'request' | 'blocking';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  request: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 },
  blocking: { maxRetriesPerRequest: null },
};

/**
 * Opens a connection to `url` for one role. Reconnects forever with a capped backoff; callers
 * should close it with `quit()` on shutdown.
 */
export function createRedis(url: string, role: RedisRole, connectionName: string): RedisClient {
  return new Redis(url, {
    ...ROLE_OPTIONS[role],
    connectionName,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
}
