import type { RedisClient } from '../../shared/redis.js';
import { orUnavailable } from '../../shared/errors.js';

/**
 * KEYS[1] the claim; ARGV[1] the holder it must still name, ARGV[2] the new holder, ARGV[3] TTL in
 * ms, ARGV[4] the age in ms below which the claim stands even so (its job may not be added yet).
 */
const REPLACE_CLAIM_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] and tonumber(ARGV[4]) > 0 then
  local age = tonumber(ARGV[3]) - redis.call('PTTL', KEYS[1])
  if age < tonumber(ARGV[4]) then return holder end
end
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return false
end
return holder
`;

/** KEYS[1] the claim; ARGV[1] the holder it must still name to be removed. */
const RELEASE_CLAIM_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * How long a claim whose job does not exist yet still counts as on its way: a gateway claims, then
 * adds the job (one command of at most 2 s, retried once, see shared/redis.ts); another gateway
 * that reads the job's state in between sees `unknown` and must not add a second job. A gateway
 * that died between the two leaves a claim that is taken over after this.
 */
export const CLAIM_ADD_GRACE_MS = 10_000;

interface ClaimScripts {
  replaceClaim(key: string, expected: string, holder: string, ttlMs: number, minAgeMs: number): Promise<string | null>;
  releaseClaim(key: string, holder: string): Promise<number>;
}

function withClaimScripts(redis: RedisClient): RedisClient & ClaimScripts {
  if (!('replaceClaim' in redis)) {
    redis.defineCommand('replaceClaim', { numberOfKeys: 1, lua: REPLACE_CLAIM_LUA });
    redis.defineCommand('releaseClaim', { numberOfKeys: 1, lua: RELEASE_CLAIM_LUA });
  }
  return redis as RedisClient & ClaimScripts;
}

/**
 * Which BullMQ job scores an applicant: one key per applicant (see shared/keys.ts claimKey), set
 * only when absent, so identical misses from every gateway replica land on one job and one model
 * run. A claim outlives its job's run by the retention period; a claim whose job failed, vanished or
 * finished without a cached answer is replaced by the next miss. Every call is one key, so it is
 * valid on a Redis Cluster; the calls of a batch go out back to back (about one round trip).
 */
export class ClaimStore {
  /**
   * The connection with the claim scripts defined on it, once, here: a command defined while an
   * auto-pipeline is being filled is missing from that pipeline, and ioredis then throws outside
   * any promise (redis/ioredis#1931), which would end the process.
   */
  private readonly scripts: RedisClient & ClaimScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {
    this.scripts = withClaimScripts(redis);
  }

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
   * it moved, otherwise the job that holds it: another gateway's that moved it first, or `from`
   * itself when `from` does not exist (`fromExists` false) and was claimed less than
   * CLAIM_ADD_GRACE_MS ago, so its gateway may still be adding it.
   */
  replace(
    keys: readonly string[],
    from: string,
    jobId: string,
    fromExists: boolean,
  ): Promise<Array<string | undefined>> {
    const redis = this.scripts;
    const minAgeMs = fromExists ? 0 : CLAIM_ADD_GRACE_MS;
    return orUnavailable(() =>
      Promise.all(
        keys.map(async (key) => (await redis.replaceClaim(key, from, jobId, this.ttlMs, minAgeMs)) ?? undefined),
      ),
    );
  }

  /**
   * Drops the claims `jobId` still holds (its add failed), so the next miss claims afresh instead of
   * waiting out CLAIM_ADD_GRACE_MS. Best effort: Redis is likely away when this is needed.
   */
  async release(keys: readonly string[], jobId: string): Promise<void> {
    const redis = this.scripts;
    await Promise.allSettled(keys.map((key) => redis.releaseClaim(key, jobId)));
  }

  /** The job holding a claim, if any. */
  async holder(key: string): Promise<string | undefined> {
    return (await orUnavailable(() => this.redis.get(key))) ?? undefined;
  }
}
