import { BoundedMemo } from './bounded-memo.js';
import type { RedisClient } from './redis.js';
import { reasonAt, REASONS, type Reason } from './reasons.js';
import { DECISIONS, expectedCost, RISK_CATEGORIES, type Score } from './score.js';
import { orUnavailable } from './errors.js';

/**
 * One hash per applicant, one-letter fields to keep an entry small (see README, "The cache"):
 * d = decision index, p = probability, v = model version, r = risk-category index followed by one
 * base-36 digit per principal reason (its position in REASONS), strongest first. The reasons ride in
 * `r` because a field of their own would push an entry from 120 to 136 bytes (MEMORY USAGE, Redis
 * 7.0). expected_cost is not stored: it derives from p.
 */
type ScoreHash = Record<'d' | 'p' | 'r' | 'v', string>;

const REASON_RADIX = 36;

function reasonDigit(reason: Reason): string {
  return REASONS.findIndex((known) => known.code === reason.code).toString(REASON_RADIX);
}

function encode(score: Score): ScoreHash {
  return {
    d: String(DECISIONS.indexOf(score.decision)),
    p: String(score.probability),
    r: String(RISK_CATEGORIES.indexOf(score.risk_category)) + score.reasons.map(reasonDigit).join(''),
    v: score.model_version,
  };
}

/** An entry that does not decode (older layout, hand edits) reads as a miss and is overwritten. */
function decode(hash: Record<string, string>): Score | undefined {
  const decision = DECISIONS[Number(hash.d)];
  const riskCategory = RISK_CATEGORIES[Number(hash.r?.[0])];
  const reasons = [...(hash.r ?? '').slice(1)].map((digit) => reasonAt(parseInt(digit, REASON_RADIX)));
  const probability = Number(hash.p);
  if (!decision || !riskCategory || !hash.v || !hash.p || !(probability >= 0 && probability <= 1)) return undefined;
  if (!reasons.every((reason) => reason !== undefined)) return undefined;
  return {
    decision,
    probability,
    risk_category: riskCategory,
    model_version: hash.v,
    reasons,
    expected_cost: expectedCost(probability),
  };
}

/**
 * Distinct entry contents remembered decoded: a model version has 3,600 applicant codes, so this
 * holds every answer of four versions at once (a rollout serves two).
 */
const DECODED_MAX_ENTRIES = 16_384;

/** A score nobody can change: one decoded object answers every read of the same entry content. */
function frozen(score: Score): Score {
  for (const reason of score.reasons) Object.freeze(reason);
  Object.freeze(score.reasons);
  Object.freeze(score.expected_cost);
  return Object.freeze(score);
}

/**
 * An entry's content in one string: the lengths of d, p and r, then the four fields back to back
 * (`1,8,4:00.12345220a79144bd9`). The lengths make it unambiguous whatever the fields hold, so equal
 * contents, and only they, share a string. READ_SCORES_LUA builds the same string inside Redis.
 */
function contentOf({ d = '', p = '', r = '', v = '' }: Record<string, string>): string {
  return v ? `${d.length},${p.length},${r.length}:${d}${p}${r}${v}` : '';
}

const CONTENT_HEAD = /^(\d+),(\d+),(\d+):/;

function hashOf(content: string): ScoreHash | undefined {
  const head = CONTENT_HEAD.exec(content);
  if (!head) return undefined;
  const [dLength, pLength, rLength] = head.slice(1).map(Number) as [number, number, number];
  let at = head[0].length;
  const take = (length: number) => content.slice(at, (at += length));
  return { d: take(dLength), p: take(pLength), r: take(rLength), v: content.slice(at) };
}

/**
 * Entries decoded by their content, not their key: decoding is a pure function of the four fields,
 * so a rewritten or edited entry is decoded afresh, and hits on the same answer share one frozen
 * Score (which lets the gateway render its JSON once, api/handlers/score-json.ts). Fields besides
 * the four are ignored, as decode ignores them.
 */
class DecodedScores {
  private readonly memo = new BoundedMemo<Score | undefined>(DECODED_MAX_ENTRIES);

  /** `content` as contentOf writes it; '' (a missing key, or no `v`, which decode refuses anyway) is a miss. */
  decode(content: string): Score | undefined {
    if (!content) return undefined;
    return this.memo.get(content, () => {
      const hash = hashOf(content);
      const score = hash && decode(hash);
      return score && frozen(score);
    });
  }
}

/** KEYS[1] the entry; ARGV[1] its TTL in seconds; ARGV[2..] field, value, field, value... */
const WRITE_SCORE_LUA = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return redis.call('EXPIRE', KEYS[1], ARGV[1])
`;

interface WriteScore {
  /** EVALSHA of WRITE_SCORE_LUA (ioredis falls back to EVAL when a server does not know the script). */
  writeScore(key: string, ttlS: number, ...fieldsAndValues: string[]): Promise<number>;
}

/**
 * KEYS: the entries to read; ARGV: none. Each entry's content as contentOf writes it, in order ('' for
 * a missing key or one without `v`): one string per entry rather than its fields and values, which
 * the gateway would parse into eight strings and a record only to join them again.
 */
const READ_SCORES_LUA = `
local contents = {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'd', 'p', 'r', 'v')
  local d, p, r, v = f[1] or '', f[2] or '', f[3] or '', f[4] or ''
  if v == '' then contents[i] = '' else contents[i] = #d .. ',' .. #p .. ',' .. #r .. ':' .. d .. p .. r .. v end
end
return contents
`;

/** Keys per read script call: a script holds Redis for its whole run, so a long list is read in slices. */
const KEYS_PER_READ = 1000;

interface ReadScores {
  /** EVALSHA of READ_SCORES_LUA: each key's content. */
  readScores(keyCount: number, ...keys: string[]): Promise<string[]>;
}

/** The client with the cache's scripts defined on it, once per client. */
function withCacheScripts(redis: RedisClient): RedisClient & WriteScore & ReadScores {
  if (!('writeScore' in redis)) redis.defineCommand('writeScore', { numberOfKeys: 1, lua: WRITE_SCORE_LUA });
  if (!('readScores' in redis)) redis.defineCommand('readScores', { lua: READ_SCORES_LUA });
  return redis as RedisClient & WriteScore & ReadScores;
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
  /**
   * The scripts are defined here, before any traffic: a command defined while an auto-pipeline
   * is being filled is missing from that pipeline, and ioredis then throws outside any promise
   * (redis/ioredis#1931), which would end the process.
   */
  private readonly redis: RedisClient & WriteScore & ReadScores;
  private readonly decoded = new DecodedScores();

  constructor(
    redis: RedisClient,
    private readonly ttl: CacheTtl,
    private readonly random: () => number = Math.random,
  ) {
    this.redis = withCacheScripts(redis);
  }

  /** One round trip; undefined on a miss. The score is frozen: reads of the same answer share it. */
  async read(key: string): Promise<Score | undefined> {
    const hash = await orUnavailable(() => this.redis.hgetall(key), 'cache unreachable');
    return this.decoded.decode(contentOf(hash));
  }

  /**
   * Many entries at once, in request order, in about one round trip; scores are frozen, as read's.
   * On a single Redis, one script call per KEYS_PER_READ keys: a command per key cost the gateway
   * more CPU than anything else in a batch of hits (a Command, a promise and a timer each). On a
   * Redis Cluster, where one call's keys must share a slot, one HGETALL per key, sent back to back
   * and each routed by its own key.
   */
  async readMany(keys: readonly string[]): Promise<Array<Score | undefined>> {
    const redis = this.redis;
    if (redis.isCluster) {
      const hashes = await orUnavailable(() => Promise.all(keys.map((key) => redis.hgetall(key))));
      return hashes.map((hash) => this.decoded.decode(contentOf(hash)));
    }
    const slices: string[][] = [];
    for (let from = 0; from < keys.length; from += KEYS_PER_READ) slices.push(keys.slice(from, from + KEYS_PER_READ));
    const replies = await orUnavailable(() =>
      Promise.all(slices.map((slice) => redis.readScores(slice.length, ...slice))),
    );
    return replies.flat().map((content) => this.decoded.decode(content));
  }

  /**
   * Each entry's hash and expiry land together, in one script call per key, so no entry ever lives
   * without a TTL. One key per call keeps it valid on a Redis Cluster (a MULTI over many keys would
   * cross slots); the calls go out back to back, so a batch still costs about one round trip.
   * Throws RedisUnavailable when any entry was not written.
   */
  async write(entries: ReadonlyArray<{ key: string; score: Score }>): Promise<void> {
    const redis = this.redis;
    await orUnavailable(
      () =>
        Promise.all(
          entries.map(({ key, score }) => {
            const ttlS = this.ttl.ttlS + Math.floor(this.random() * (this.ttl.jitterS + 1));
            return redis.writeScore(key, ttlS, ...Object.entries(encode(score)).flat());
          }),
        ),
      'cache write failed',
    );
  }
}
