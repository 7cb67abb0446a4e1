import { masters, parseClusterUrl, type RedisClient } from './redis.js';
import { StartupError } from './lifecycle.js';

/** One server's `maxmemory-policy`, and which server said so (host:port). */
export interface EvictionPolicy {
  node: string;
  policy: string;
}

/**
 * The `maxmemory-policy` of every server behind a connection: the one Redis, or each master of a
 * cluster (each enforces its own). Read from INFO, since CONFIG GET is often disabled on managed
 * Redis. Waits for a cluster to learn its masters.
 */
export async function readEvictionPolicies(redis: RedisClient): Promise<EvictionPolicy[]> {
  return Promise.all(
    (await masters(redis)).map(async (server) => {
      const info = await server.info('memory');
      const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
      return { node: `${server.options.host}:${server.options.port}`, policy };
    }),
  );
}

/**
 * The server's `maxmemory-policy`; on a cluster, the first master's that is not `noeviction`
 * (`noeviction` only when every master keeps its keys).
 */
export async function readEvictionPolicy(redis: RedisClient): Promise<string> {
  const policies = await readEvictionPolicies(redis);
  return (policies.find(({ policy }) => policy !== 'noeviction') ?? policies[0])?.policy ?? 'unknown';
}

/**
 * BullMQ loses jobs on a Redis that evicts keys, so the queue's Redis (every master, on a cluster)
 * must be `noeviction`; so must a cache that shares it. A separate cache Redis may evict (that is
 * what a cache is for). Throws a StartupError that says what is wrong and how to fix it.
 */
export async function assertQueueRedisKeepsKeys(
  queueRedis: RedisClient,
  url: string,
  cacheIsSeparate: boolean,
): Promise<void> {
  const policies = await readEvictionPolicies(queueRedis);
  const evicting = policies.find(({ policy }) => policy !== 'noeviction');
  if (policies.length > 0 && !evicting) return;
  const policy = evicting?.policy ?? 'unknown (no master answered)';
  const where = parseClusterUrl(url) && evicting ? ` (master ${evicting.node})` : '';
  const fix = cacheIsSeparate
    ? 'set maxmemory-policy noeviction on it'
    : 'set maxmemory-policy noeviction on it, or give the cache its own Redis with CACHE_REDIS_URL';
  throw new StartupError(
    `The queue's Redis at ${redactUrl(url)}${where} uses maxmemory-policy ${policy}; BullMQ needs noeviction: ${fix}.`,
  );
}

/** A URL fit for logs: the password replaced. Cluster URLs (several hosts) are redacted too. */
export function redactUrl(url: string): string {
  if (parseClusterUrl(url)) return url.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
