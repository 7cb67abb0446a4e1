import type { KeySpace } from '../shared/keys.js';
import type { ScoreReply } from '../shared/queues.js';
import type { RedisClient } from '../shared/redis.js';

/**
 * KEYS[1] the job's further reply channels (a set); ARGV[1] the adding gateway's channel ('' when
 * the job names none), ARGV[2] the message. Publishes once per distinct channel, then drops the set.
 * A channel is not a key, so the script is valid on a Redis Cluster (PUBLISH reaches every node).
 */
const PUBLISH_REPLY_LUA = `
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
for _, channel in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if channel ~= ARGV[1] then redis.call('PUBLISH', channel, ARGV[2]) end
end
redis.call('DEL', KEYS[1])
return 0
`;

interface PublishReply {
  publishReply(routesKey: string, replyTo: string, message: string): Promise<number>;
}

/**
 * Tells the gateways that wait on a job its outcome, on their own channels: one script call per
 * job, whatever the number of gateways. Called once the outcome is settled: answers stored in the
 * cache (the job may still read as active), or failed with no retry left. So a gateway registering
 * after this call finds the answers in the cache (api/scoring/job-enqueuer.ts registers, reads the
 * job's state, then reads the cache for a job still active).
 */
export class ReplyPublisher {
  private readonly redis: RedisClient & PublishReply;

  constructor(
    redis: RedisClient,
    private readonly keys: KeySpace,
  ) {
    if (!('publishReply' in redis)) redis.defineCommand('publishReply', { numberOfKeys: 1, lua: PUBLISH_REPLY_LUA });
    this.redis = redis as RedisClient & PublishReply;
  }

  /** Rejects when Redis does not answer: the gateways' waits then time out and their clients poll. */
  async publish(jobId: string, replyTo: string | undefined, reply: ScoreReply): Promise<void> {
    await this.redis.publishReply(this.keys.replyRoutes(jobId), replyTo ?? '', JSON.stringify(reply));
  }
}
