import type { RedisClient } from './redis.js';
import { DECISIONS, RISK_CATEGORIES, type Score } from './score.js';
import { orUnavailable, RedisUnavailable } from './errors.js';

/**
 * One hash per applicant, one-letter fields to keep an entry small (see README, "Memory"):
 * d = decision index, p = probability, r = risk-category index, v = model version.
 */
type ScoreHash = Record<'d' | 'p' | 'r' | 'v', string>;

function encode(score: Score): ScoreHash {
  return {
    d: String(DECISIONS.indexOf(score.decision)),
    p: String(score.probability),
    r: String(RISK_CATEGORIES.indexOf(score.risk_category)),
    v: score.model_version,
  };
}

/** An entry that does not decode (older layout, hand edits) reads as a miss and is overwritten. */
function decode(hash: Record<string, string>): Score | undefined {
  const decision = DECISIONS[Number(hash.d)];
  const riskCategory = RISK_CATEGORIES[Number(hash.r)];
  const probability = Number(hash.p);
  if (!decision || !riskCategory || !hash.v || !hash.p || !(probability >= 0 && probability <= 1)) return undefined;
  return { decision, probability, risk_category: riskCategory, model_version: hash.v };
}

export interface CacheTtl {
  ttlS: number;
  jitterS: number;
}

/**
 * Reads and writes cached answers. Every Redis failure surfaces as RedisUnavailable, so callers
 * map one error type to 503.
 */
export class ScoreCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttl: CacheTtl,
    private readonly random: () => number = Math.random,
  ) {}

  /** One round trip; undefined on a miss. */
  async read(key: string): Promise<Score | undefined> {
    const hash = await orUnavailable(() => this.redis.hgetall(key), 'cache unreachable');
    return decode(hash);
  }

  /**
   * Many entries at once, in request order. The commands go out back to back on one connection
   * (ioredis does not wait between them), so this costs about one round trip, and each command is
   * routed by its own key, which keeps it valid on a Redis Cluster.
   */
  async readMany(keys: readonly string[]): Promise<Array<Score | undefined>> {
    const hashes = await orUnavailable(() => Promise.all(keys.map((key) => this.redis.hgetall(key))));
    return hashes.map(decode);
  }

  /** Hash and expiry land together (MULTI), so no entry ever lives without a TTL. */
  async write(entries: ReadonlyArray<{ key: string; score: Score }>): Promise<void> {
    const multi = this.redis.multi();
    for (const { key, score } of entries) {
      multi.hset(key, encode(score)).expire(key, this.ttl.ttlS + Math.floor(this.random() * (this.ttl.jitterS + 1)));
    }
    const results = await orUnavailable(() => multi.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new RedisUnavailable(`cache write failed`, { cause: failed?.[0] });
  }
}
