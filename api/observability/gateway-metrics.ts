import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundedMemo } from '../../shared/bounded-memo.js';
import type { ScoreQueues } from '../scoring/score-queues.js';
import { within } from './deadline.js';

export type CacheOutcome = 'hit' | 'miss';

/** A scrape waits this long for the queue's counts, well inside Prometheus' default 10 s scrape timeout. */
const QUEUE_COUNTS_TIMEOUT_MS = 500;
/** Label sets whose series are kept at once: far more than the routes, methods and statuses make. */
const SERIES_KEPT = 1024;

/**
 * The gateway's Prometheus metrics, on a registry of its own (tests build several apps in one
 * process). Queue counts are read from Redis when Prometheus scrapes, not on the request path, and
 * are left out of a scrape when Redis does not answer in time.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'scoring_cache_lookups_total',
    help: 'Applicants looked up in the cache, by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly jobsCoalesced = new Counter({
    name: 'scoring_jobs_coalesced_total',
    help: 'Misses that joined an applicant already being scored (for this gateway or another) instead of adding it again',
    registers: [this.registry],
  });
  readonly missBatchSize = new Histogram({
    name: 'scoring_miss_batch_size',
    help: 'Applicants per job the gateway added (misses gathered in one window)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  /** What this gateway spent learning that jobs finished: it should grow with its own misses only. */
  readonly replyMessages = new Counter({
    name: 'scoring_reply_messages_total',
    help: 'Job outcomes (completed or failed) this gateway received and parsed',
    registers: [this.registry],
  });
  readonly replyBytes = new Counter({
    name: 'scoring_reply_bytes_total',
    help: 'Bytes of job outcomes this gateway received and parsed',
    registers: [this.registry],
  });

  constructor(queues: Pick<ScoreQueues, 'getJobCounts'>) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'scoring_queue_jobs',
      help: 'Jobs in the score queue by state, summed over its shards',
      labelNames: ['state'] as const,
      registers: [this.registry],
      // During a Redis outage the scrape still answers, without these series (absent, not stale):
      // the process and HTTP metrics are what operators need most then.
      async collect() {
        try {
          const counts = await within(
            queues.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
            QUEUE_COUNTS_TIMEOUT_MS,
            'the queue',
          );
          for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
        } catch {
          this.reset();
        }
      },
    });
  }

  /**
   * prom-client hashes a label set on each observation; every request observes one of a few sets
   * (route templates, methods, statuses), so each set's series is looked up once and kept.
   */
  private readonly durations = new BoundedMemo<Histogram.Internal<'method' | 'route' | 'status'>>(SERIES_KEPT);
  private readonly lookups = new BoundedMemo<Counter.Internal>(SERIES_KEPT);

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.durations
      .get(`${method} ${route} ${status}`, () => this.httpDuration.labels({ method, route, status: String(status) }))
      .observe(seconds);
  }

  recordCache(endpoint: string, outcome: CacheOutcome, count = 1): void {
    if (count <= 0) return;
    this.lookups.get(`${endpoint} ${outcome}`, () => this.cacheLookups.labels({ endpoint, outcome })).inc(count);
  }
}
