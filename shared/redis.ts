import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseClusterUrl, type ClusterUrl } from './redis-url.js';

/** A connection to a single Redis or to a Redis Cluster; everything above shared/ takes either. */
export type RedisClient = Redis | Cluster;

/**
 * How a connection behaves:
 * - `request`: the gateway's own commands (cache reads, claims, limits): they fail at once when Redis
 *   is away (no offline queue), so a client gets a quick 503 instead of waiting on a reconnect;
 * - `queue`: the same for the gateway's BullMQ Queue (adds, states);
 * - `blocking`: BullMQ workers and the gateway's reply subscriber, which block on Redis and must retry forever;
 * - `writer`: a worker's cache writes, which wait for a reconnect like the worker itself.
 * The service's own connections (`request`, `writer`) pipeline automatically: the commands of one
 * event-loop turn (many requests' reads, a job's writes) leave in one write, which on 2 cores saves
 * more than Redis's work. BullMQ's connections do not: its scripts do not support it.
 */
export type RedisRole = 'request' | 'queue' | 'blocking' | 'writer';

const FAIL_FAST: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 };
const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  request: { ...FAIL_FAST, enableAutoPipelining: true },
  queue: FAIL_FAST,
  blocking: { maxRetriesPerRequest: null },
  writer: { maxRetriesPerRequest: null, enableAutoPipelining: true },
};

const reconnectDelayMs = (attempt: number) => Math.min(50 * attempt, 1000);

/**
 * A Redis Cluster client for one role. Node connections are lazy in ioredis, and a cluster without
 * an offline queue refuses commands to a node that is still connecting; the request role therefore
 * connects each node as soon as the cluster learns of it, so the first burst after start-up or a
 * slot refresh does not fail.
 */
function createCluster(cluster: ClusterUrl, role: RedisRole, connectionName: string): Cluster {
  const { enableOfflineQueue, ...perNode } = ROLE_OPTIONS[role];
  const options: ClusterOptions = {
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: reconnectDelayMs,
    redisOptions: {
      ...perNode,
      connectionName,
      ...(cluster.username ? { username: cluster.username } : {}),
      ...(cluster.password ? { password: cluster.password } : {}),
      ...(cluster.tls ? { tls: {} } : {}),
    },
    // Managed TLS clusters announce hostnames their certificates name: connect by name, not by IP.
    ...(cluster.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  const client = new Cluster(cluster.seeds, options);
  if (role === 'request') {
    client.on('+node', (node: Redis) => {
      if (node.status === 'wait') node.connect().catch(() => undefined);
    });
  }
  return client;
}

/**
 * Opens a connection to `url` for one role: a `Cluster` for a `redis+cluster://` URL, a `Redis`
 * otherwise. Reconnects forever with a capped backoff; callers should close it with `quit()` on
 * shutdown. Throws nothing itself: a bad URL is caught by config validation.
 */
export function createRedis(url: string, role: RedisRole, connectionName: string): RedisClient {
  const cluster = parseClusterUrl(url);
  if (cluster) return createCluster(cluster, role, connectionName);
  return new Redis(url, {
    ...ROLE_OPTIONS[role],
    connectionName,
    retryStrategy: reconnectDelayMs,
  });
}

/**
 * Resolves once a connection can take commands: a single Redis connected, a cluster knowing its
 * masters (CLUSTER SLOTS answered). Connections without an offline queue refuse commands until
 * then. Rejects when the client was closed.
 */
export async function untilReady(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'end') throw new Error('the Redis connection is closed');
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      redis.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      redis.off('ready', onReady);
      reject(new Error('the Redis connection closed before it was ready'));
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/** Every master of a cluster, or the one Redis: what a server-wide check (INFO, policies) must ask. */
export async function masters(redis: RedisClient): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  await untilReady(redis);
  return redis.nodes('master');
}
