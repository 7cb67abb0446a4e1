import { randomBytes } from 'node:crypto';
import { SCORE_QUEUE } from '../shared/queues.js';
import type { BenchContext } from './context.js';
import type { Namespace } from './bench-redis.js';
import { WorkerMetricsReader, type WorkerCounts } from './model-runs.js';
import { answersOk, freePort, waitUntil, type Child } from './processes.js';
import { QueueCounts } from './queue-counts.js';
import { BENCH_SERVICE_ENV } from './settings.js';
import type { Target } from './target.js';

/** No work counted for this long after the queue drained: the workers are done (the batcher gathers for ~2 ms). */
const QUIET_MS = 30;

export interface StackOptions {
  /** Names the processes' log files. */
  name: string;
  workers: number;
  /** Gateway processes, each on a port of its own (1 unless told otherwise). */
  gateways?: number;
  /** Node flags of the gateways and workers, e.g. `--cpu-prof` for `npm run bench -- --profile`. */
  nodeArgs?: readonly string[];
  /** Settings of this stack only, over the bench's service settings (e.g. MISS_BATCH_WAIT_MS=0). */
  env?: Record<string, string>;
}

/**
 * The built service as production runs it: `node dist/api/main.js` (one or more) and N `node dist/worker/main.js`,
 * on free ports, under a namespace of its own in the bench's Redis, so every applicant is new to it.
 * Nothing here knows how the gateway or the worker work inside; it passes documented settings and
 * reads what an operator can read: HTTP answers, worker /metrics, and BullMQ job counts.
 */
export class ServiceStack implements Target {
  private constructor(
    private readonly ctx: BenchContext,
    /** The first gateway's base URL. */
    readonly url: string,
    /** Every gateway's base URL, the first one included. */
    readonly urls: readonly string[],
    readonly namespace: Namespace,
    readonly env: Record<string, string>,
    private readonly children: readonly Child[],
    private readonly queue: QueueCounts,
    private readonly metrics: WorkerMetricsReader,
  ) {}

  static async start(ctx: BenchContext, options: StackOptions): Promise<ServiceStack> {
    const namespace = ctx.redis.namespace();
    const credentials = { user: 'bench', password: randomBytes(18).toString('base64url') };
    const ports = await Promise.all(Array.from({ length: options.gateways ?? 1 }, () => freePort()));
    const metricsPorts = await Promise.all(Array.from({ length: options.workers }, () => freePort()));
    const env: Record<string, string> = {
      REDIS_URL: ctx.redis.url,
      CACHE_PREFIX: namespace.cachePrefix,
      QUEUE_PREFIX: namespace.queuePrefix,
      ADMIN_USER: credentials.user,
      ADMIN_PASSWORD: credentials.password,
      // One secret for the gateway and every worker (ids and sealed job data), as a deployment shares one.
      SERVICE_SECRET: randomBytes(32).toString('base64url'),
      ...BENCH_SERVICE_ENV,
      ...ctx.settings.serviceEnv,
      ...options.env,
    };
    const queue = new QueueCounts(ctx.redis.client, SCORE_QUEUE, namespace.queuePrefix);
    const label = `${options.name}-${namespace.cachePrefix}`;
    const nodeArgs = options.nodeArgs ?? [];
    const children = [
      ...ports.map((port, i) =>
        ctx.supervisor.startNode(`${label}-gateway${i + 1}`, 'api/main.js', { ...env, PORT: String(port) }, nodeArgs),
      ),
      ...metricsPorts.map((metricsPort, i) =>
        ctx.supervisor.startNode(
          `${label}-worker${i + 1}`,
          'worker/main.js',
          { ...env, WORKER_METRICS_PORT: String(metricsPort) },
          nodeArgs,
        ),
      ),
    ];
    const metrics = new WorkerMetricsReader(
      metricsPorts.map((metricsPort) => `http://127.0.0.1:${metricsPort}/metrics`),
      credentials,
    );
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const stack = new ServiceStack(ctx, urls[0]!, urls, namespace, env, children, queue, metrics);
    try {
      for (const url of urls) await waitUntil('gateway /readyz', () => answersOk(`${url}/readyz`), children);
      await waitUntil(
        `${options.workers} connected workers`,
        async () => {
          if ((await queue.workerCount()) < options.workers) return false;
          await metrics.read();
          return true;
        },
        children,
      );
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get underTest() {
    return { serverPids: this.children.map((child) => child.pid) };
  }

  /** The gateways' PIDs, in the order of `urls`. */
  get gatewayPids(): number[] {
    return this.children.slice(0, this.urls.length).map((child) => child.pid);
  }

  /** Waits until idle, then deletes every cached answer and claim: each applicant is new to the service again. */
  async forgetAnswers(): Promise<void> {
    await this.idle();
    await this.ctx.redis.forgetAnswers(this.namespace);
  }

  workerCounts(): Promise<WorkerCounts> {
    return this.metrics.read();
  }

  /** No job unfinished, and the workers' counts unchanged for QUIET_MS (a job may finish as it leaves the queue). */
  async idle(): Promise<void> {
    let last = await this.metrics.read();
    for (;;) {
      await this.queue.idle();
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const now = await this.metrics.read();
      if (now.modelRuns === last.modelRuns && now.jobsCompleted === last.jobsCompleted) return;
      last = now;
    }
  }

  /** Stops the processes, then removes every key of the namespace. */
  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop()));
    await this.queue.close();
    await this.ctx.redis.deleteNamespace(this.namespace);
  }
}
