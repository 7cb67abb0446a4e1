import { Queue, type JobState } from 'bullmq';
import type { Config } from '../../shared/config.js';
import {
  SCORE_QUEUE,
  queueShardPrefixes,
  scoreJobOptions,
  shardOf,
  shardOfJob,
  type ScoreJobData,
  type ScoreJobResult,
  type ScoreQueue,
} from '../../shared/queues.js';
import type { RedisClient } from '../../shared/redis.js';

/** Job counts by state, as BullMQ's getJobCounts returns them. */
type JobCounts = Record<string, number>;

/**
 * The gateway's score queues, one per shard (Config.QUEUE_SHARDS): an applicant's misses go to
 * the shard of its public id, a job id names its shard, and what operators and guards read (depth,
 * counts, workers) covers every shard.
 */
export class ScoreQueues {
  private constructor(readonly shards: readonly ScoreQueue[]) {}

  /** One BullMQ Queue per shard, all on `connection` (a cluster client reaches every shard's slot). */
  static open(config: Config, connection: RedisClient): ScoreQueues {
    const defaultJobOptions = scoreJobOptions({
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      retentionS: config.JOB_RETENTION_SECONDS,
    });
    return new ScoreQueues(
      queueShardPrefixes(config.QUEUE_PREFIX, config.QUEUE_SHARDS).map(
        (prefix): ScoreQueue =>
          new Queue<ScoreJobData, ScoreJobResult>(SCORE_QUEUE, {
            connection,
            prefix,
            skipVersionCheck: true,
            defaultJobOptions,
          }),
      ),
    );
  }

  /** The shard an applicant's misses go to. */
  shardOf(applicantId: string): number {
    return shardOf(applicantId, this.shards.length);
  }

  at(shard: number): ScoreQueue {
    return this.shards[shard]!;
  }

  /**
   * The state of a job, asked of the shard its id names; 'unknown' for a shard this gateway does
   * not run (the shard count changed since the job was added).
   */
  getJobState(jobId: string): Promise<JobState | 'unknown'> {
    return this.shards[shardOfJob(jobId)]?.getJobState(jobId) ?? Promise.resolve('unknown');
  }

  getJob(jobId: string) {
    return this.shards[shardOfJob(jobId)]?.getJob(jobId) ?? Promise.resolve(undefined);
  }

  /** Jobs waiting, on all shards together. */
  async getWaitingCount(): Promise<number> {
    const counts = await Promise.all(this.shards.map((queue) => queue.getWaitingCount()));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Jobs by state, summed over the shards. */
  async getJobCounts(...states: JobState[]): Promise<JobCounts> {
    const sum: JobCounts = {};
    for (const counts of await Promise.all(this.shards.map((queue) => queue.getJobCounts(...states)))) {
      for (const [state, n] of Object.entries(counts)) sum[state] = (sum[state] ?? 0) + n;
    }
    return sum;
  }

  /** Workers consuming the least-served shard: 0 when any shard has none, since its misses would wait forever. */
  async getWorkersCount(): Promise<number> {
    return Math.min(...(await Promise.all(this.shards.map((queue) => queue.getWorkersCount()))));
  }

  on(event: 'error', listener: (err: Error) => void): void {
    for (const queue of this.shards) queue.on(event, listener);
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.shards.map((queue) => queue.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((queue) => queue.close()));
  }
}
