import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchRedis } from './bench-redis.js';
import { freePort, waitUntil, type Child, type Supervisor } from './processes.js';

/**
 * A redis-server of the bench's own on a free loopback port, nothing on disk, stopped by its PID.
 * Runs that count Redis commands use it: on the shared Redis, INFO commandstats counts every other
 * client's commands too.
 */
export class PrivateRedis {
  private constructor(
    readonly redis: BenchRedis,
    private readonly child: Child,
    private readonly dir: string,
  ) {}

  static async start(supervisor: Supervisor): Promise<PrivateRedis> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'bench-redis-'));
    // noeviction: the service refuses any other policy (BullMQ's keys must never be evicted).
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    const child = supervisor.start(`redis-${port}`, 'redis-server', [...args, '--maxmemory-policy', 'noeviction'], {});
    const url = `redis://127.0.0.1:${port}`;
    let redis: BenchRedis | undefined;
    try {
      await waitUntil(
        `redis-server on ${port}`,
        async () => {
          redis = await BenchRedis.connect(url);
          return true;
        },
        [child],
      );
    } catch (error) {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new PrivateRedis(redis!, child, dir);
  }

  async stop(): Promise<void> {
    this.redis.close();
    await this.child.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
