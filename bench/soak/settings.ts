/** How long and how hard a soak runs. Rates are steady (not saturating): a soak looks for drift, not for a ceiling. */
export interface SoakSettings {
  mode: 'full' | 'short';
  /** Load before the first figures that count ("start"): JIT, pools and the cache fill up. */
  warmupS: number;
  /** Load after the warm-up; its last sample is "end". */
  soakS: number;
  sampleEveryS: number;
  /** CACHE_TTL_SECONDS and JOB_RETENTION_SECONDS alike: short, so answers expire and misses keep coming. */
  ttlS: number;
  /** Applicants 0 .. warmSet - 1, cached before the load and hit throughout. */
  warmSet: number;
  hits: { rate: number; connections: number };
  /** Never-seen applicants on a synchronous route, one per request. */
  misses: { rate: number; connections: number };
  /** POST /scores/batch: `warm` cached applicants and `fresh` never-seen ones per request. */
  batches: { rate: number; warm: number; fresh: number };
  /** Asynchronous clients: each submits one POST /jobs every `paceMs`. */
  jobs: {
    clients: number;
    paceMs: number;
    /** Every n-th single job is polled until it finishes; the others are never looked at again. */
    pollEvery: number;
    /** Every n-th submission is a batch of `batchFresh` never-seen + `batchWarm` cached applicants (always polled). */
    batchEvery: number;
    batchFresh: number;
    batchWarm: number;
  };
}

const LOAD = {
  warmSet: 500,
  hits: { rate: 1500, connections: 4 },
  misses: { rate: 100, connections: 4 },
  batches: { rate: 2, warm: 40, fresh: 10 },
  jobs: { clients: 4, paceMs: 250, pollEvery: 3, batchEvery: 10, batchFresh: 5, batchWarm: 5 },
} as const;

/**
 * Three minutes after a 15 s warm-up. About 140 never-seen applicants a second go through the
 * 20,100 outside the warm set in ~140 s, well over TTL + slack, so a code that comes round again
 * is a miss again.
 */
export const FULL: SoakSettings = { ...LOAD, mode: 'full', warmupS: 15, soakS: 180, sampleEveryS: 5, ttlS: 30 };

/** The same load for 14 s (CI): the TTL is shorter still, so answers, claims and jobs expire within the run. */
export const SHORT: SoakSettings = { ...LOAD, mode: 'short', warmupS: 4, soakS: 10, sampleEveryS: 2, ttlS: 4 };
