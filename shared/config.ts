import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseClusterUrl } from './redis-url.js';

const milliseconds = z.coerce.number().int().nonnegative();
const seconds = z.coerce.number().int().positive();
const redisUrl = z.union(
  [z.url({ protocol: /^rediss?$/ }), z.string().refine((url) => parseClusterUrl(url) !== undefined)],
  { error: 'a redis://, rediss:// or redis+cluster://host:port,host:port URL' },
);

/**
 * Every setting of every process, read once at start-up. Defaults suit a laptop; `.env.example`
 * documents each one (a test holds the two together).
 */
export const ConfigFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** A client must send all request headers within this long (slowloris), or gets 408 and is disconnected. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10000),
  /** ...and the body within this long of its headers (POST /portfolios has PORTFOLIO_UPLOAD_TIMEOUT_MS). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
  /** Serve the hot scoring routes through the lean node:http lane in front of Express (same behaviour, less CPU). */
  HTTP_LEAN_LANE: z.stringbool().default(true),
  /** Path prefix the gateway serves under, as a reverse proxy forwards it (e.g. /scoring); empty for none. */
  BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'a path like /scoring, without a trailing slash')
    .default(''),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /** Cached answers; may be a Redis with an evicting policy (allkeys-lru). Defaults to REDIS_URL. */
  CACHE_REDIS_URL: redisUrl.optional(),
  /** BullMQ's queue and batch records; must be noeviction (and AOF, to survive a restart). Defaults to REDIS_URL. */
  QUEUE_REDIS_URL: redisUrl.optional(),
  /** Namespace of the BullMQ keys; braces make it a Redis Cluster hash tag, so one queue's keys share a slot. */
  QUEUE_PREFIX: z.string().min(1).default('{scoring}'),
  /**
   * Score queues, each under a hash tag of its own (shared/queues.ts queueShardPrefixes), so in a
   * cluster misses are not capped by the one master a queue's slot lives on. An applicant always
   * goes to the same shard; workers consume every shard. 1 names exactly the unsharded keys.
   */
  QUEUE_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Namespace of the queue's bookkeeping (claims, batch records, rate-limit counters), on the
   * queue's Redis. Defaults to QUEUE_PREFIX without its braces and `:bk` (`scoring:bk`): beside the
   * queue it serves, but without its hash tag, so in a cluster the per-applicant keys spread.
   */
  BOOKKEEPING_PREFIX: z
    .string()
    .min(1)
    .regex(/^[^\s{}]+$/, 'no spaces or braces (a hash tag would put every claim in one slot)')
    .optional(),
  /** Namespace of the cached answers. */
  CACHE_PREFIX: z
    .string()
    .min(1)
    .regex(/^[^:\s]+$/, 'no colons or spaces')
    .default('s'),
  CACHE_TTL_SECONDS: seconds.default(86400),
  /** Up to this many seconds are added at random to each entry's TTL, so a burst of misses does not expire as one. */
  CACHE_TTL_JITTER_SECONDS: z.coerce.number().int().nonnegative().default(3600),
  /** How long a synchronous request waits for the worker before answering 202 and a job to poll. */
  SYNC_WAIT_MS: milliseconds.default(5000),
  /** The most a client may ask to wait with `Prefer: wait=N`; below SHUTDOWN_TIMEOUT_MS, so a drain outlasts every wait. */
  SYNC_WAIT_MAX_MS: milliseconds.default(8000),
  BATCH_MAX_ITEMS: z.coerce.number().int().positive().max(10000).default(1000),
  /**
   * While a batch of misses is on its way to the queue, later misses gather for up to this long and
   * then go as one job; 0 turns gathering off (one job per request). With nothing in flight a miss
   * goes at once, so this adds no latency when idle.
   */
  MISS_BATCH_WAIT_MS: milliseconds.max(1000).default(2),
  /** The most applicants one job carries (misses of one window, or a slice of a big batch). */
  MISS_BATCH_MAX: z.coerce.number().int().positive().max(1000).default(64),
  /**
   * Distinct uncached applicants (model work) one client may ask for per RATE_LIMIT_WINDOW_SECONDS,
   * counted in Redis across all gateway replicas; 0 turns the limit off. Hits are not limited.
   */
  RATE_LIMIT_MISSES: z.coerce.number().int().nonnegative().default(1200),
  RATE_LIMIT_WINDOW_SECONDS: seconds.default(60),
  /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted to name the client. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Every client reaches the gateway over https (a TLS proxy in front): send HSTS and CSP's
   * upgrade-insecure-requests. Off, they are sent only when a trusted proxy says X-Forwarded-Proto: https.
   */
  PUBLIC_HTTPS: z.stringbool().default(false),
  /** Above this many waiting jobs (each up to MISS_BATCH_MAX applicants), new misses are refused with 503 (hits are still served). */
  MAX_QUEUE_DEPTH: z.coerce.number().int().positive().default(10000),
  MODEL_MANIFEST_PATH: z.string().min(1).default('model/manifest.json'),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
  /** Tries per job, the first included, before it is reported as failed. */
  JOB_ATTEMPTS: z.coerce.number().int().positive().default(3),
  JOB_BACKOFF_MS: milliseconds.default(100),
  /** A model run longer than this fails the attempt (and is retried); the model takes microseconds. */
  JOB_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  /** A worker that dies mid-job loses its lock after this long... */
  WORKER_LOCK_MS: z.coerce.number().int().positive().default(5000),
  /** ...and live workers look for such jobs this often, so a killed worker's jobs restart within their sum. */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().positive().default(2000),
  /** Finished jobs stay readable (polling, Bull Board) at least this long. */
  JOB_RETENTION_SECONDS: seconds.default(3600),
  /** SIGTERM drain budget; 0 would make every shutdown exit 1 at once. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10000),
  /** Worker processes `npm start` runs beside the gateway. */
  WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /** Basic-auth user for Bull Board and /metrics. */
  ADMIN_USER: z.string().min(1).default('admin'),
  /** Basic-auth password; required under NODE_ENV=production (`npm start` makes one up and prints it once). */
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
  /** Bull Board for on-call staff: watch, but no retry, clean or delete. */
  ADMIN_READ_ONLY: z.stringbool().default(false),
  /** Port of a worker's own /metrics (Prometheus); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * What one client may cost the queue's Redis per RATE_LIMIT_WINDOW_SECONDS, in units: a batch
   * record costs one per applicant, a poll one (a poll that reads an unfinished batch's answers one
   * per distinct applicant); 0 turns the limit off.
   */
  RATE_LIMIT_WRITES: z.coerce.number().int().nonnegative().default(3000),
  /**
   * Keys public job ids and sealed job data (HKDF); the gateway and every worker must share it.
   * Required under NODE_ENV=production; elsewhere a fixed development secret stands in, with a warning.
   */
  SERVICE_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** The most rows one portfolio upload may hold (POST /portfolios); a longer file is refused whole, 413. */
  PORTFOLIO_MAX_ROWS: z.coerce.number().int().positive().default(1000000),
  /**
   * Rows per stored chunk and per chunk job: the gateway holds one chunk while it receives (8 bytes a
   * row plus its id), and each chunk looks its distinct codes up once, so fewer, larger chunks cost
   * the cache fewer lookups.
   */
  PORTFOLIO_CHUNK_ROWS: z.coerce.number().int().positive().max(100000).default(50000),
  /** An upload that sends nothing for this long is cut and everything it stored removed. */
  PORTFOLIO_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
  /**
   * The whole of an accepted upload must arrive within this long, instead of HTTP_REQUEST_TIMEOUT_MS:
   * 30 min takes a 1,000,000-row CSV with ids (55 MB, the bench's file) over 250 kbit/s. Also how long
   * the record and chunks of an upload whose gateway died linger (plus a minute) before they lapse.
   */
  PORTFOLIO_UPLOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(1_800_000),
  /** Unfinished portfolios (receiving, queued or active) one client may have at once. */
  PORTFOLIO_MAX_ACTIVE: z.coerce.number().int().positive().default(2),
});

type Fields = z.infer<typeof ConfigFields>;

/** A rule between two settings: `holds` is false for a pair the service cannot run with. */
interface CrossFieldRule {
  field: keyof Fields;
  holds: (c: Fields) => boolean;
  /** Follows `<field>: `; names the other setting, with both values. */
  message: (c: Fields) => string;
}

const CROSS_FIELD_RULES: CrossFieldRule[] = [
  {
    // A finished single job is polled from its cached answer, so the answer must outlive the retention.
    field: 'CACHE_TTL_SECONDS',
    holds: (c) => c.CACHE_TTL_SECONDS >= c.JOB_RETENTION_SECONDS,
    message: (c) => `${c.CACHE_TTL_SECONDS} must be at least JOB_RETENTION_SECONDS (${c.JOB_RETENTION_SECONDS})`,
  },
  {
    // Headers are the start of a request: an allowance for them longer than for its body is a slip.
    field: 'HTTP_HEADERS_TIMEOUT_MS',
    holds: (c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS,
    message: (c) =>
      `${c.HTTP_HEADERS_TIMEOUT_MS} must be at most HTTP_REQUEST_TIMEOUT_MS (${c.HTTP_REQUEST_TIMEOUT_MS})`,
  },
  {
    // The idle cut is the finer of the two: an upload idle longer than it may run cannot be cut for idling.
    field: 'PORTFOLIO_IDLE_TIMEOUT_MS',
    holds: (c) => c.PORTFOLIO_IDLE_TIMEOUT_MS <= c.PORTFOLIO_UPLOAD_TIMEOUT_MS,
    message: (c) =>
      `${c.PORTFOLIO_IDLE_TIMEOUT_MS} must be at most PORTFOLIO_UPLOAD_TIMEOUT_MS (${c.PORTFOLIO_UPLOAD_TIMEOUT_MS})`,
  },
  {
    field: 'SYNC_WAIT_MS',
    holds: (c) => c.SYNC_WAIT_MS <= c.SYNC_WAIT_MAX_MS,
    message: (c) => `${c.SYNC_WAIT_MS} must be at most SYNC_WAIT_MAX_MS (${c.SYNC_WAIT_MAX_MS})`,
  },
  {
    // Waits are released at SIGTERM; should that fail, the longest wait still ends before the drain gives up.
    field: 'SYNC_WAIT_MAX_MS',
    holds: (c) => c.SYNC_WAIT_MAX_MS < c.SHUTDOWN_TIMEOUT_MS,
    message: (c) => `${c.SYNC_WAIT_MAX_MS} must be below SHUTDOWN_TIMEOUT_MS (${c.SHUTDOWN_TIMEOUT_MS})`,
  },
  {
    // A draining worker finishes the model run in hand; one allowed to outlast the drain would be cut.
    field: 'JOB_TIMEOUT_MS',
    holds: (c) => c.JOB_TIMEOUT_MS < c.SHUTDOWN_TIMEOUT_MS,
    message: (c) => `${c.JOB_TIMEOUT_MS} must be below SHUTDOWN_TIMEOUT_MS (${c.SHUTDOWN_TIMEOUT_MS})`,
  },
];

export const Config = ConfigFields.superRefine((c, ctx) => {
  for (const rule of CROSS_FIELD_RULES) {
    if (!rule.holds(c)) ctx.addIssue({ code: 'custom', path: [rule.field], message: rule.message(c) });
  }
}).transform((c) => ({
  ...c,
  CACHE_REDIS_URL: c.CACHE_REDIS_URL ?? c.REDIS_URL,
  QUEUE_REDIS_URL: c.QUEUE_REDIS_URL ?? c.REDIS_URL,
  BOOKKEEPING_PREFIX: c.BOOKKEEPING_PREFIX ?? `${c.QUEUE_PREFIX.replace(/[{}]/g, '')}:bk`,
}));
export type Config = z.infer<typeof Config>;

/**
 * Parses the environment once. Unknown variables are ignored (the environment holds many), and an
 * empty one counts as unset (`PORT=` in a compose file means "no value", not port 0). A bad setting,
 * or two that contradict each other, throws a ConfigError on one line naming them.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = Config.safeParse(set);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`bad config: ${problems.join('; ')}`);
}
