import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The machine's shared Redis; tests keep to their own prefixes there and never flush it. */
export const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A namespace of one test file: cache prefix and queue prefix, so files never see each other's keys.
 * The bookkeeping prefix derived from this queue prefix (`t…:bk`, see Config.BOOKKEEPING_PREFIX) lies
 * under the cache prefix, so removing `${cachePrefix}:` removes claims, batch records and counters too.
 */
export function testNamespace(): { cachePrefix: string; queuePrefix: string } {
  const id = randomUUID().slice(0, 8);
  return { cachePrefix: `t${id}`, queuePrefix: `{t${id}}` };
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * `count` distinct free ports: each is held open until all are found, so none is handed out twice
 * (consecutive freePort calls may return one port twice, and two processes then share it).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((server) => {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Every key under a prefix (SCAN, not KEYS: the shared server may be large). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

/** A redis-server of the test's own on a free port, stopped by PID; nothing on disk. */
export class OwnRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(port?: number): Promise<OwnRedis> {
    const chosen = port ?? (await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const own = new OwnRedis(chosen, child);
    await own.waitUntilReady();
    return own;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  private async waitUntilReady(): Promise<void> {
    for (let tries = 0; tries < 100; tries++) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }
}
