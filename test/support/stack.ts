import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildGateway, type Gateway } from '../../api/gateway.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel, startScoringWorker, type ScoringWorker } from '../../worker/scoring-worker.js';
import { deleteKeysUnder, keysUnder, REDIS_URL, testNamespace } from './redis.js';

const silent = pino({ level: 'silent' });

/**
 * The real gateway (on an ephemeral port) and, on demand, real workers, wired exactly as main.ts
 * wires them, in this process, against a real Redis under a namespace of their own.
 */
export class Stack {
  readonly workers: ScoringWorker[] = [];
  /** Jobs the workers finished; each is one model run. */
  modelRuns = 0;

  private constructor(
    readonly config: Config,
    readonly gateway: Gateway,
    private readonly server: Server,
    readonly redis: Redis,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<Stack> {
    const { cachePrefix, queuePrefix } = testNamespace();
    const config = loadConfig({
      REDIS_URL,
      CACHE_PREFIX: cachePrefix,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'silent',
      ...env,
    });
    const gateway = buildGateway(config, silent);
    await gateway.whenReady();
    const server = await new Promise<Server>((resolve) => {
      const listening = createServer(gateway.listener).listen(0, '127.0.0.1', () => resolve(listening));
    });
    return new Stack(config, gateway, server, new Redis(config.REDIS_URL, { lazyConnect: true }));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A worker with the real model, or with `model` (e.g. a slow one for timeout tests). */
  async startWorker(model?: ScoringModel): Promise<ScoringWorker> {
    const worker = await startScoringWorker(this.config, silent, model ?? (await loadModel(this.config)));
    worker.worker.on('completed', () => {
      this.modelRuns += 1;
    });
    this.workers.push(worker);
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** GET a path and parse its JSON body. */
  async get<T = Record<string, unknown>>(path: string): Promise<{ response: Response; body: T }> {
    const response = await fetch(`${this.url}${path}`);
    return { response, body: (await response.json()) as T };
  }

  /** Every cache key this stack wrote. */
  cacheKeys(): Promise<string[]> {
    return keysUnder(this.redis, `${this.config.CACHE_PREFIX}:`);
  }

  /** Jobs in the queue in any state. */
  async jobCount(): Promise<number> {
    const counts = await this.gateway.queue.getJobCounts();
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server.closeAllConnections();
    await closed;
    await this.gateway.close();
    await deleteKeysUnder(this.redis, `${this.config.CACHE_PREFIX}:`);
    const queue = new Queue(SCORE_QUEUE, { connection: this.redis, prefix: this.config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    this.redis.disconnect();
  }
}
