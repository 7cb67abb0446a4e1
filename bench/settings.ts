/** How hard and how long each scenario runs. Baselines and service runs share every figure here. */
export interface Settings {
  mode: 'full' | 'smoke';
  /**
   * Rounds of interleaved pairs: each baseline, then the service runs compared with it, again and
   * again. Targets are judged on the median of the rounds' ratios (one machine gave 0.40–0.80 for
   * the same hit ratio in three runs).
   */
  rounds: number;
  /** Misses per second of the paced runs (Redis commands and CPU per miss at a light, steady load). */
  pacedRate: number;
  pacedS: number;
  /** Connections of every saturated run. */
  connections: number;
  saturatedS: number;
  /** Runs with one connection, for latency without queueing in front of the server. */
  sequentialS: number;
  /**
   * When set, timed runs send this many requests instead (the smoke mode): a run of a fraction of a
   * second on a busy machine could end before its first answer and fail with "no responses".
   */
  requestsPerTimedRun: number | null;
  /** An unrecorded run of this long before each hit run, so the JIT and connection pools are warm; 0 skips it. */
  warmupS: number;
  /** The same for miss runs, counted in requests (the service forgets the warm-up's answers before the measured run). */
  warmupMisses: number;
  /** Distinct cached applicants the hit runs cycle through. */
  hitPool: number;
  stormClients: number;
  stormRounds: number;
  batchSize: number;
  batchHitRepeats: number;
  batchMissRepeats: number;
  /** Single hit requests compared with one batch of the same size. */
  singles: number;
  pollJobs: number;
  /** Service settings taken from the bench's environment (see SERVICE_SETTINGS), given to every service process. */
  serviceEnv: Record<string, string>;
}

/**
 * Service settings `npm run bench` passes through from its own environment, so one can measure
 * e.g. `MISS_BATCH_WAIT_MS=0 npm run bench`. Everything else the service gets is set by the bench.
 */
const SERVICE_SETTINGS = [
  'MISS_BATCH_WAIT_MS',
  'MISS_BATCH_MAX',
  'WORKER_CONCURRENCY',
  'HTTP_LEAN_LANE',
  'LOG_LEVEL',
  'SYNC_WAIT_MS',
] as const;

export function serviceEnvFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(SERVICE_SETTINGS.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}

/** What the bench sets on every service process, whatever the environment says. */
export const BENCH_SERVICE_ENV = {
  // A load generator is one client sending thousands of misses a second: the per-client limit would 429 it.
  RATE_LIMIT_MISSES: '0',
  // ...and the write budget would 429 its polls and batch records.
  RATE_LIMIT_WRITES: '0',
  // Leftovers of an interrupted run expire within minutes instead of a day.
  CACHE_TTL_SECONDS: '900',
  JOB_RETENTION_SECONDS: '900',
} as const;

type Mode = Omit<Settings, 'serviceEnv'>;

const SHARED = {
  hitPool: 1000,
  stormClients: 200,
  batchSize: 1000,
  singles: 1000,
} as const;

/** About ten minutes on a 2-core machine. */
export const FULL: Mode = {
  ...SHARED,
  mode: 'full',
  rounds: 3,
  pacedRate: 150,
  pacedS: 8,
  connections: 16,
  requestsPerTimedRun: null,
  saturatedS: 10,
  sequentialS: 5,
  warmupS: 2,
  warmupMisses: 1500,
  stormRounds: 3,
  // A batch of 1,000 hits takes about 12 ms: 20 of them (a quarter of a second) swung 79–124
  // batches/s between rounds; 100 take a second or so.
  batchHitRepeats: 100,
  // 3 × 1,000 of the 3,600 applicants a namespace has.
  batchMissRepeats: 3,
  pollJobs: 200,
};

/** Every scenario once, briefly: proves the bench still runs, measures nothing worth keeping. */
export const SMOKE: Mode = {
  ...SHARED,
  mode: 'smoke',
  rounds: 1,
  pacedRate: 150,
  pacedS: 1,
  connections: 8,
  requestsPerTimedRun: 40,
  // Long enough that a cold worker's first answers land inside the run on a busy 2-core machine:
  // at 0.3 s a saturated miss run sometimes ended before its first response ("no responses").
  saturatedS: 1,
  sequentialS: 0.5,
  warmupS: 0,
  warmupMisses: 0,
  stormRounds: 1,
  batchHitRepeats: 2,
  batchMissRepeats: 1,
  pollJobs: 5,
};
