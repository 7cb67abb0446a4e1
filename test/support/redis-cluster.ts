import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { isRedisReachable } from '../../scripts/local-redis.js';
import { freePort } from './redis.js';
import { waitUntil } from './wait.js';

const run = promisify(execFile);

/** One master: its client port, its cluster bus port and its process. */
interface ClusterNode {
  port: number;
  busPort: number;
  child: ChildProcess;
}

/** A connection to one node alone (no redirects): what SCAN, INFO and CONFIG must be sent to. */
function nodeClient(port: number): Redis {
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  return client;
}

/**
 * A Redis Cluster of `redis-server` processes of one test file: masters only, on free ports, each
 * in a temporary directory of the cluster's own, keeping nothing on disk (`--save ""`,
 * `--appendonly no`). Stopped by PID; the machine's Redis on 6379 is never touched.
 */
export class RedisCluster {
  private constructor(
    private readonly nodes: readonly ClusterNode[],
    private readonly dir: string,
  ) {}

  /** Starts `masters` nodes, joins them with `redis-cli --cluster create` and waits for cluster_state:ok. */
  static async start(masters = 3): Promise<RedisCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
    const nodes: ClusterNode[] = [];
    const cluster = new RedisCluster(nodes, dir);
    try {
      // Each node has a client port and an explicit bus port (the default, port + 10000, can fall
      // outside the port range or be taken); all distinct.
      const ports = new Set<number>();
      while (ports.size < masters * 2) ports.add(await freePort());
      const [...free] = ports;
      for (let i = 0; i < masters; i++) {
        const [port, busPort] = [free[2 * i]!, free[2 * i + 1]!];
        const child = spawn(
          'redis-server',
          [
            ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
            ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
            ...['--cluster-port', String(busPort), '--cluster-node-timeout', '5000'],
            ...['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
          ],
          { stdio: 'ignore' },
        );
        nodes.push({ port, busPort, child });
      }
      for (const { port, child } of nodes) {
        await waitUntil(`redis-server on ${port}`, async () => {
          if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited at start-up`);
          return isRedisReachable(`redis://127.0.0.1:${port}`);
        });
      }
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map(({ port }) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { timeout: 20_000 },
      );
      await cluster.untilStateOk();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The service's URL for this cluster: every master as a seed. */
  get url(): string {
    return `redis+cluster://${this.nodes.map(({ port }) => `127.0.0.1:${port}`).join(',')}/`;
  }

  get ports(): number[] {
    return this.nodes.map(({ port }) => port);
  }

  /** `redis://` URL of one node, for a test that must speak to that node alone. */
  nodeUrl(port: number): string {
    return `redis://127.0.0.1:${port}`;
  }

  /** A cluster client of the test's own (redirects followed); the caller closes it with `quit()`. */
  client(): Cluster {
    return new Cluster(this.ports.map((port) => ({ host: '127.0.0.1', port })));
  }

  /** Runs `action` with a direct connection to each master, in parallel; the connections are closed after. */
  async onEachMaster<T>(action: (client: Redis, port: number) => Promise<T>): Promise<Map<number, T>> {
    const results = await Promise.all(
      this.ports.map(async (port) => {
        const client = nodeClient(port);
        try {
          return [port, await action(client, port)] as const;
        } finally {
          client.disconnect();
        }
      }),
    );
    return new Map(results);
  }

  /** The keys under `prefix`, per master (port), found with SCAN on each node. */
  keysByMaster(prefix: string): Promise<Map<number, string[]>> {
    return this.onEachMaster(async (client) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      return keys;
    });
  }

  /** Every key under `prefix`, on whichever master it lives. */
  async keysUnder(prefix: string): Promise<string[]> {
    return [...(await this.keysByMaster(prefix)).values()].flat();
  }

  /** Stops every node (SIGKILL: nothing to keep) and removes the directory; safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Every node says cluster_state:ok and knows all 16,384 slots. */
  private async untilStateOk(): Promise<void> {
    await waitUntil(
      'cluster_state:ok on every node',
      async () => {
        const infos = await this.onEachMaster((client) => client.cluster('INFO') as Promise<string>);
        return [...infos.values()].every(
          (info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info),
        );
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  }
}
