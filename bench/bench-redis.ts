import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Where one scenario's keys live: a cache prefix and a BullMQ prefix no other scenario or run uses. */
export interface Namespace {
  cachePrefix: string;
  queuePrefix: string;
}

const SCAN_COUNT = 1000;

/**
 * The Redis the bench runs against (shared with whatever else uses it). The bench never flushes
 * it: every key it or the processes it starts write is under this run's tag, `bench<8 hex>`, and
 * removed by `deleteNamespace` and `deleteEverything`.
 */
export class BenchRedis {
  private namespaces = 0;

  private constructor(
    readonly url: string,
    /** The bench's own connection: fixtures, MEMORY USAGE, job counts, clean-up. */
    readonly client: Redis,
    readonly runTag: string,
  ) {}

  static async connect(url: string): Promise<BenchRedis> {
    const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `no Redis at ${url} (${why}); start one with redis-server --daemonize yes --save "" --appendonly no`,
      );
    }
    return new BenchRedis(url, client, `bench${randomBytes(4).toString('hex')}`);
  }

  /** A fresh namespace: cached answers, claims and jobs of earlier scenarios are invisible in it. */
  namespace(): Namespace {
    const id = `${this.runTag}x${++this.namespaces}`;
    // CACHE_PREFIX allows no colons; the braces make the queue prefix a Redis Cluster hash tag, as in production.
    return { cachePrefix: id, queuePrefix: `{${id}}` };
  }

  async version(): Promise<string> {
    return /^redis_version:(\S+)/m.exec(await this.client.info('server'))?.[1] ?? 'unknown';
  }

  /**
   * CPU seconds the Redis server has used (INFO cpu, main and background threads). It counts every
   * client's commands, so on a shared Redis other users' load shows up here too.
   */
  async cpuSeconds(): Promise<number> {
    const info = await this.client.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? NaN);
    return field('used_cpu_user') + field('used_cpu_sys');
  }

  /**
   * Redis's CPU seconds and the commands it has executed so far (INFO commandstats, summed over
   * commands). The INFO calls themselves are left out, so a run's delta is the commands its
   * processes sent. Both count every client of that Redis.
   */
  async counters(): Promise<{ cpuSeconds: number; commands: number }> {
    const [cpuSeconds, stats] = await Promise.all([this.cpuSeconds(), this.client.info('commandstats')]);
    let commands = 0;
    for (const [, name, calls] of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (name !== 'info') commands += Number(calls);
    }
    return { cpuSeconds, commands };
  }

  /**
   * Deletes a namespace's cached answers and claims (everything under its cache prefix), so the
   * service running in it meets every applicant as new again. Only between runs: the service must be
   * idle, or a job still running would write its answer back.
   */
  async forgetAnswers({ cachePrefix }: Namespace): Promise<number> {
    return this.deleteMatching(`${cachePrefix}:*`);
  }

  /** MEMORY USAGE of each key, every field counted (SAMPLES 0); 0 for a key that does not exist. */
  async memoryUsage(keys: readonly string[]): Promise<number[]> {
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, bytes]) => {
      if (error) throw error;
      return Number(bytes ?? 0);
    });
  }

  async deleteNamespace({ cachePrefix, queuePrefix }: Namespace): Promise<number> {
    return (await this.deleteMatching(`${cachePrefix}:*`)) + (await this.deleteMatching(`${queuePrefix}:*`));
  }

  /** Every key of this run, in case a scenario died before cleaning up after itself. */
  async deleteEverything(): Promise<number> {
    return (await this.deleteMatching(`${this.runTag}*`)) + (await this.deleteMatching(`{${this.runTag}*`));
  }

  /** Every key matching a SCAN pattern; keys written or removed meanwhile may or may not be in it. */
  async keysMatching(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  close(): void {
    this.client.disconnect();
  }

  private async deleteMatching(pattern: string): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length > 0) deleted += await this.client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }
}
