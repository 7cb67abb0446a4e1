import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import { runPacedLoad } from './paced-load.js';

/**
 * A request body: fixed text (encoded once per connection, so it costs the load generator almost
 * nothing) or a function called for every request (unique applicants; each call re-encodes).
 */
export type Body = string | (() => string);

/** Every request a run sends is a POST of JSON; only the body varies. */
export interface LoadSpec {
  url: string;
  connections: number;
  /** Run for this long... */
  durationS?: number;
  /** ...or send exactly this many requests. */
  amount?: number;
  /** With durationS: stop early after this many, e.g. before unique applicants run out. */
  maxRequests?: number;
  /** Every connection sends these in turn, from the first, round and round. */
  bodies: readonly Body[];
  headers?: Record<string, string>;
  /** Any other answer is counted as unexpected (a failure). */
  expectedStatus: number;
  timeoutS?: number;
  /** Requests per second over all connections, autocannon's way (each second's quota in a burst, e.g. a soak); unset saturates. */
  overallRate?: number;
  /** Requests per second at evenly spaced moments (bench/paced-load.ts) instead of autocannon; unset saturates. */
  pacedRate?: number;
  /** Called with each answer's status as it arrives, for counts while a long run is still going. */
  onResponse?: (status: number) => void;
  /** Count answers by their X-Cache header (service runs): how a miss run proves every answer was a real miss. */
  countXCache?: boolean;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  requests: number;
  elapsedS: number;
  rps: number;
  latencyMs: LatencySummary;
  /** Connection errors and timeouts. */
  errors: number;
  unexpected: number;
  statusCounts: Record<string, number>;
  /** With countXCache: answers by X-Cache value (`none` when absent). */
  xCache?: Record<string, number>;
}

/** autocannon notices the end of a run only at its next sample tick; keep that lag small. */
const SAMPLE_INTERVAL_MS = 20;

/** Nearest-rank percentiles of latencies in milliseconds. */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return { p50: rank(50), p99: rank(99), mean: sorted.length ? sum / sorted.length : 0, max: sorted.at(-1) ?? 0 };
}

/**
 * Runs autocannon. Latencies are taken from each response (autocannon's own histogram keeps whole
 * milliseconds, too coarse for sub-millisecond hits), and throughput is responses over the time
 * from start to the last response. With `pacedRate` the requests go out evenly spaced instead.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.pacedRate) return runPacedLoad({ ...spec, ratePerS: spec.pacedRate });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let unexpected = 0;
  const started = performance.now();
  let lastResponseAt = started;
  const xCache: Record<string, number> = {};
  // llhttp hands the headers over as a flat [name, value, name, value, ...] list.
  const countXCache = (client: EventEmitter) =>
    client.on('headers', ({ headers }: { headers: string[] }) => {
      let value = 'none';
      for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === 'x-cache') value = headers[i + 1]!;
      xCache[value] = (xCache[value] ?? 0) + 1;
    });

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationS ?? 1 }),
        ...(spec.maxRequests ? { maxOverallRequests: spec.maxRequests } : {}),
        ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
        sampleInt: SAMPLE_INTERVAL_MS,
        ...(spec.countXCache ? { setupClient: countXCache } : {}),
        timeout: spec.timeoutS ?? 10,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.headers },
        requests: spec.bodies.map((body) =>
          typeof body === 'string' ? { body } : { setupRequest: (request) => ({ ...request, body: body() }) },
        ),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const requests = latencies.length;
        const elapsedS = (lastResponseAt - started) / 1000;
        resolve({
          requests,
          elapsedS,
          rps: elapsedS > 0 ? requests / elapsedS : 0,
          latencyMs: summarize(latencies),
          errors: result.errors,
          unexpected,
          statusCounts,
          ...(spec.countXCache ? { xCache } : {}),
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
      lastResponseAt = performance.now();
      latencies.push(responseTimeMs);
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status !== spec.expectedStatus) unexpected += 1;
      spec.onResponse?.(status);
    });
  });
}
