import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildGateway, type Gateway } from '../../api/gateway.js';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { applicantCode, KeySpace } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import { deriveKey } from '../../shared/secrets.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel, startScoringWorker, type ScoringWorker } from '../../worker/scoring-worker.js';
import { countingModel } from '../support/counting-model.js';
import { testNamespace } from '../support/redis.js';

const silent = pino({ level: 'silent' });

/**
 * Gateways and workers wired as main.ts wires them, in this process, on whatever Redis the URLs in
 * `env` name (a `redis+cluster://` URL included). test/support/stack.ts does the same for the
 * machine's Redis, but reads and cleans up through a plain `Redis` of REDIS_URL, which cannot speak
 * to a cluster; this one leaves reads to the test (RedisCluster.keysByMaster) and cleanup to the
 * disposable Redis servers.
 */
export class InProcessService {
  readonly gateways: Array<{ gateway: Gateway; server: Server; url: string }> = [];
  readonly workers: ScoringWorker[] = [];
  /** Applicants the workers scored: a job of many applicants is one model run of many rows. */
  applicantsScored = 0;
  /** Jobs the workers finished; each is one model run. */
  modelRuns = 0;

  constructor(readonly config: Config) {}

  /** A config under a namespace of its own, with `env` (Redis URLs, settings) on top. */
  static configFor(env: Record<string, string>): Config {
    const { cachePrefix, queuePrefix } = testNamespace();
    return loadConfig({
      CACHE_PREFIX: cachePrefix,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      SERVICE_SECRET: 'cluster-test-service-secret-0123456789abcdef',
      ...env,
    });
  }

  /** The public id (also the cache key's last part) the service gives `applicant` under its model version. */
  publicId(applicant: Applicant): string {
    return new PublicIds(deriveKey(this.config.SERVICE_SECRET!, 'public-id')).forApplicant(
      this.modelVersion,
      applicantCode(applicant),
    );
  }

  /** The first gateway's base URL. */
  /** The service's Redis names, from its config. */
  get keys(): KeySpace {
    return KeySpace.of(this.config);
  }

  get url(): string {
    const first = this.gateways[0];
    if (!first) throw new Error('no gateway started');
    return first.url;
  }

  get modelVersion(): string {
    return this.gateways[0]!.gateway.modelVersion;
  }

  /** One more gateway replica (another port, same Redis and prefixes); resolves once it is ready. */
  async startGateway(): Promise<string> {
    const gateway = buildGateway(this.config, silent);
    try {
      await gateway.whenReady();
    } catch (error) {
      await gateway.close();
      throw error;
    }
    const server = await new Promise<Server>((resolve) => {
      const listening = createServer(gateway.listener).listen(0, '127.0.0.1', () => resolve(listening));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.gateways.push({ gateway, server, url });
    return url;
  }

  async startWorker(model?: ScoringModel): Promise<ScoringWorker> {
    const counted = countingModel(model ?? (await loadModel(this.config)), (applicants) => {
      this.modelRuns += 1;
      this.applicantsScored += applicants;
    });
    const worker = await startScoringWorker(this.config, silent, counted);
    this.workers.push(worker);
    return worker;
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}, base = this.url): Promise<Response> {
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async get<T = Record<string, unknown>>(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ response: Response; body: T }> {
    const response = await fetch(`${this.url}${path}`, { headers });
    return { response, body: (await response.json()) as T };
  }

  /** Closes workers, then servers and gateways; the test owns the Redis and throws it away. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    for (const { gateway, server } of this.gateways.splice(0)) {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await gateway.close();
    }
  }
}
