import { QueueFull } from '../../shared/errors.js';
import type { ScoreQueues } from './score-queues.js';

/**
 * Refuses new misses while more than `maxDepth` jobs wait, on all queue shards together. The waiting count is sampled at most
 * every `sampleMs`, so an overloaded gateway does not add a Redis round trip to every miss.
 */
export class QueueDepthGuard {
  private depth = 0;
  private sampledAt = -Infinity;

  constructor(
    private readonly queues: Pick<ScoreQueues, 'getWaitingCount'>,
    private readonly maxDepth: number,
    private readonly sampleMs = 100,
  ) {}

  async check(): Promise<void> {
    if (performance.now() - this.sampledAt > this.sampleMs) {
      this.depth = await this.queues.getWaitingCount();
      this.sampledAt = performance.now();
    }
    if (this.depth > this.maxDepth) throw new QueueFull(this.depth);
  }
}
