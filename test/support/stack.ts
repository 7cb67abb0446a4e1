import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { buildGateway, type Gateway } from '../../api/gateway.js';
import type { MissPathSeams } from '../../api/scoring/miss-path.js';
import { createHttpServer } from '../../api/http/server.js';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { applicantCode, KeySpace } from '../../shared/keys.js';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import { PublicIds } from '../../shared/public-id.js';
import { JobSeal, type SealedItems } from '../../shared/job-seal.js';
import { SCORE_QUEUE, queueShardPrefixes, type ScoreJobData } from '../../shared/queues.js';
import { deriveKey } from '../../shared/secrets.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel, startScoringWorker, type ScoringWorker } from '../../worker/scoring-worker.js';
import { countingModel } from './counting-model.js';
import { TEST_PROCESS_ENV } from './processes.js';
import { deleteKeysUnder, keysUnder, REDIS_URL, testNamespace } from './redis.js';

const silent = pino({ level: 'silent' });

function listen(gateway: Gateway, config: Config): Promise<Server> {
  return new Promise<Server>((resolve) => {
    const listening = createHttpServer(gateway.listener, config).listen(0, '127.0.0.1', () => resolve(listening));
  });
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
}

/**
 * A test that waits long on the worker (SYNC_WAIT_MS above the default cap) gets the settings the
 * config requires with it: SYNC_WAIT_MAX_MS at least as long, and a shutdown budget above both.
 */
function roomToWait(env: Record<string, string>): Record<string, string> {
  const waitMs = Number(env.SYNC_WAIT_MS ?? 0);
  if (waitMs <= 8000 || env.SYNC_WAIT_MAX_MS) return {};
  return { SYNC_WAIT_MAX_MS: String(waitMs), SHUTDOWN_TIMEOUT_MS: String(waitMs + 1000) };
}

/**
 * The real gateway (on an ephemeral port) and, on demand, real workers, wired exactly as main.ts
 * wires them, in this process, against a real Redis under a namespace of their own.
 */
export class Stack {
  readonly workers: ScoringWorker[] = [];
  private readonly peers: Array<{ gateway: Gateway; server: Server }> = [];
  /** Applicants the workers' models were run on (a job of many applicants is one model run of many rows). */
  applicantsScored = 0;
  /** Model runs the workers made (one per job, unless a failed batch is retried row by row). */
  modelRuns = 0;

  private constructor(
    readonly config: Config,
    readonly gateway: Gateway,
    private readonly server: Server,
    readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  /** Test secret shared by the stack's gateways and workers, as a deployment's processes share theirs. */
  static readonly SERVICE_SECRET: string = TEST_PROCESS_ENV.SERVICE_SECRET;

  /** `log` receives the gateway's and the workers' lines (silent unless a test reads them). */
  static async start(
    env: Record<string, string> = {},
    log: Logger = silent,
    seams: MissPathSeams = {},
  ): Promise<Stack> {
    const { cachePrefix, queuePrefix } = testNamespace();
    const config = loadConfig({
      REDIS_URL,
      CACHE_PREFIX: cachePrefix,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'silent',
      ...TEST_PROCESS_ENV,
      ...roomToWait(env),
      SERVICE_SECRET: Stack.SERVICE_SECRET,
      ...env,
    });
    const gateway = buildGateway(config, log, seams);
    await gateway.whenReady();
    const server = await listen(gateway, config);
    return new Stack(config, gateway, server, new Redis(config.REDIS_URL, { lazyConnect: true }), log);
  }

  /**
   * A second gateway replica on the same Redis, queue and prefixes (another port), as a load
   * balancer would run it beside the first; stopped with the stack.
   */
  async startPeerGateway(seams: MissPathSeams = {}): Promise<{ url: string; gateway: Gateway }> {
    const gateway = buildGateway(this.config, this.log, seams);
    await gateway.whenReady();
    const server = await listen(gateway, this.config);
    this.peers.push({ gateway, server });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, gateway };
  }

  /** The public job id the service gives this applicant (ids are opaque: only the secret's holder can make one). */
  publicId(applicant: Applicant): string {
    return this.publicIdOf(this.gateway.modelVersion, applicantCode(applicant));
  }

  /** The public job id of an applicant code under a model version. */
  publicIdOf(modelVersion: string, code: string): string {
    return new PublicIds(deriveKey(this.config.SERVICE_SECRET!, 'public-id')).forApplicant(modelVersion, code);
  }

  /** A job's applicants, unsealed as the worker does (job data holds them sealed). */
  jobItems(data: ScoreJobData): SealedItems {
    return new JobSeal(deriveKey(this.config.SERVICE_SECRET!, 'job-seal')).unseal(data.sealed);
  }

  /** The stack's Redis names, from its config. */
  get keys(): KeySpace {
    return KeySpace.of(this.config);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A worker with the real model, or with `model` (e.g. a slow one for timeout tests). */
  async startWorker(model?: ScoringModel): Promise<ScoringWorker> {
    const counted = countingModel(model ?? (await loadModel(this.config)), (applicants) => {
      this.modelRuns += 1;
      this.applicantsScored += applicants;
    });
    const worker = await startScoringWorker(this.config, this.log, counted);
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
  async get<T = Record<string, unknown>>(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ response: Response; body: T }> {
    const response = await fetch(`${this.url}${path}`, { headers });
    return { response, body: (await response.json()) as T };
  }

  /** Every key this stack wrote outside BullMQ: cached answers, claims, batch records. */
  cacheKeys(): Promise<string[]> {
    return keysUnder(this.redis, `${this.config.CACHE_PREFIX}:`);
  }

  /** The cached answers alone. */
  answerKeys(): Promise<string[]> {
    return keysUnder(this.redis, `${this.config.CACHE_PREFIX}:${this.gateway.modelVersion}:`);
  }

  /** Jobs in the queue, on every shard, in any state. */
  async jobCount(): Promise<number> {
    const counts = await this.gateway.queues.getJobCounts();
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    for (const { gateway, server } of [...this.peers.splice(0), { gateway: this.gateway, server: this.server }]) {
      await closeServer(server);
      await gateway.close();
    }
    await deleteKeysUnder(this.redis, `${this.config.CACHE_PREFIX}:`);
    // The gateway's portfolio queue too: creating it writes its meta key, even when no portfolio came.
    const queues = [
      ...queueShardPrefixes(this.config.QUEUE_PREFIX, this.config.QUEUE_SHARDS).map((prefix) => ({
        name: SCORE_QUEUE,
        prefix,
      })),
      { name: PORTFOLIO_QUEUE, prefix: this.config.QUEUE_PREFIX },
    ];
    for (const { name, prefix } of queues) {
      const queue = new Queue(name, { connection: this.redis, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    this.redis.disconnect();
  }
}
