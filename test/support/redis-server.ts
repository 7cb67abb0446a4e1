import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis.js';

export interface RedisServerOptions {
  /** AOF with `appendfsync everysec` in a temporary directory of its own, as docker-compose runs it. */
  appendOnly?: boolean;
  /** `maxmemory-policy`; noeviction unless told otherwise (what BullMQ needs). */
  maxmemoryPolicy?: string;
  /** `maxmemory` in bytes; 0 (no limit) unless told otherwise. */
  maxmemoryBytes?: number;
}

/** How to stop the server: a crash (SIGKILL: no last fsync, no goodbye) or an orderly SIGTERM (fsyncs the AOF). */
export type RedisStop = 'SIGKILL' | 'SIGTERM';

/**
 * A redis-server of one test on a free port, stopped by PID and restartable on the same port with
 * the same directory, so an AOF written before a crash is replayed at the restart. OwnRedis
 * (support/redis.ts) keeps nothing on disk; this one can.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: readonly string[],
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'faults-redis-'));
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      options.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      options.maxmemoryPolicy ?? 'noeviction',
      '--maxmemory',
      String(options.maxmemoryBytes ?? 0),
    ];
    const server = new RedisServer(port, dir, args);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A new client to this server; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }

  /** Stops the server and waits until the process is gone. */
  async stop(how: RedisStop = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(how);
    await exited;
  }

  /** Starts the server again on the same port and directory (the AOF, if any, is replayed first). */
  async restart(): Promise<void> {
    if (this.isRunning) throw new Error(`redis-server on port ${this.port} is still running`);
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    this.child = spawn('redis-server', this.args, { stdio: 'ignore' });
    await this.waitUntilReady();
  }

  /** PING answers only once the AOF is loaded (a loading server answers -LOADING). */
  private async waitUntilReady(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not listening or still loading
      } finally {
        probe.disconnect();
      }
      if (!this.isRunning) throw new Error(`redis-server on port ${this.port} exited at start-up`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`redis-server on port ${this.port} did not answer within ${timeoutMs} ms`);
  }
}
