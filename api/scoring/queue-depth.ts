import { QueueFull } from '../../shared/errors.js';
import type { ScoreQueue } from '../../shared/queues.js';

/**
 * Refuses new misses while more than `maxDepth` jobs wait. The waiting count is sampled at most
 * every `sampleMs`, so an overloaded gateway does not add a Redis round trip to every miss.
 */
export class QueueDepthGuard {
  private depth = 0;
  private sampledAt = -Infinity;

  constructor(
    private readonly queue: ScoreQueue,
    private readonly maxDepth: number,
    private readonly sampleMs = 100,
  ) {}

  async check(): Promise<void> {
    if (performance.now() - this.sampledAt > this.sampleMs) {
      this.depth = await this.queue.getWaitingCount();
      this.sampledAt = performance.now();
    }
    if (this.depth > this.maxDepth) throw new QueueFull(this.depth);
  }
}
