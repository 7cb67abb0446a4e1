import type { RedisClient } from './redis.js';
import { StartupError } from './lifecycle.js';

/** The server's `maxmemory-policy`, read from INFO (CONFIG GET is often disabled on managed Redis). */
export async function readEvictionPolicy(redis: RedisClient): Promise<string> {
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/**
 * BullMQ loses jobs on a Redis that evicts keys, so the queue's Redis must be `noeviction`; so must a
 * cache that shares it. A separate cache Redis may evict (that is what a cache is for). Throws a
 * StartupError that says what is wrong and how to fix it.
 */
export async function assertQueueRedisKeepsKeys(
  queueRedis: RedisClient,
  url: string,
  cacheIsSeparate: boolean,
): Promise<void> {
  const policy = await readEvictionPolicy(queueRedis);
  if (policy === 'noeviction') return;
  const fix = cacheIsSeparate
    ? 'set maxmemory-policy noeviction on it'
    : 'set maxmemory-policy noeviction on it, or give the cache its own Redis with CACHE_REDIS_URL';
  throw new StartupError(
    `The queue's Redis at ${redactUrl(url)} uses maxmemory-policy ${policy}; BullMQ needs noeviction: ${fix}.`,
  );
}

/** A URL fit for logs: the password replaced. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
