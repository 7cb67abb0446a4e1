import type { RedisClient } from '../../shared/redis.js';
import { orUnavailable } from '../../shared/errors.js';

/** KEYS[1] the claim; ARGV[1] the holder it must still name, ARGV[2] the new holder, ARGV[3] TTL in ms. */
const REPLACE_CLAIM_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return false
end
return holder
`;

interface ReplaceClaim {
  replaceClaim(key: string, expected: string, holder: string, ttlMs: number): Promise<string | null>;
}

function withReplaceClaim(redis: RedisClient): RedisClient & ReplaceClaim {
  if (!('replaceClaim' in redis)) redis.defineCommand('replaceClaim', { numberOfKeys: 1, lua: REPLACE_CLAIM_LUA });
  return redis as RedisClient & ReplaceClaim;
}

/**
 * Which BullMQ job scores an applicant: one key per applicant (see shared/keys.ts claimKey), set
 * only when absent, so identical misses from every gateway replica land on one job and one model
 * run. A claim outlives its job's run by the retention period; a claim whose job failed, vanished or
 * finished without a cached answer is replaced by the next miss. Every call is one key, so it is
 * valid on a Redis Cluster; the calls of a batch go out back to back (about one round trip).
 */
export class ClaimStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {}

  /**
   * Claims each key for `jobId`. Per key: undefined when this call claimed it, otherwise the job
   * that already holds it (SET NX GET, Redis 7).
   */
  claim(keys: readonly string[], jobId: string): Promise<Array<string | undefined>> {
    return orUnavailable(() =>
      Promise.all(
        keys.map(async (key) => (await this.redis.set(key, jobId, 'PX', this.ttlMs, 'NX', 'GET')) ?? undefined),
      ),
    );
  }

  /**
   * Moves each claim from `from` (a job that will not answer) to `jobId`. Per key: undefined when
   * it moved, otherwise the job another gateway moved it to first.
   */
  replace(keys: readonly string[], from: string, jobId: string): Promise<Array<string | undefined>> {
    const redis = withReplaceClaim(this.redis);
    return orUnavailable(() =>
      Promise.all(keys.map(async (key) => (await redis.replaceClaim(key, from, jobId, this.ttlMs)) ?? undefined)),
    );
  }

  /** The job holding a claim, if any. */
  async holder(key: string): Promise<string | undefined> {
    return (await orUnavailable(() => this.redis.get(key))) ?? undefined;
  }
}
