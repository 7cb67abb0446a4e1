import { StartupError } from './errors.js';
import { masters, type RedisClient } from './redis.js';
import { parseClusterUrl } from './redis-url.js';

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

/** Claims use `SET … NX GET`, which Redis accepts from 7.0 on. */
export const MIN_QUEUE_REDIS_VERSION = [7, 0] as const;

/** True when a `redis_version` (e.g. 7.2.4) is at least `minimum` (major, minor). */
export function versionAtLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/** Refuses a queue Redis (any master of a cluster) older than MIN_QUEUE_REDIS_VERSION, in one line. */
export async function assertQueueRedisVersion(queueRedis: RedisClient, url: string): Promise<void> {
  for (const server of await masters(queueRedis)) {
    const version = /^redis_version:(\S+)/m.exec(await server.info('server'))?.[1] ?? '0';
    if (!versionAtLeast(version, MIN_QUEUE_REDIS_VERSION)) {
      throw new StartupError(
        `The queue's Redis at ${redactUrl(url)} is version ${version}; the gateway needs ${MIN_QUEUE_REDIS_VERSION.join('.')} or later.`,
      );
    }
  }
}
