import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sleep } from './processes.js';

/** Job states in which a job still has work ahead of it. */
const UNFINISHED = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const POLL_MS = 25;
const IDLE_TIMEOUT_MS = 30_000;

/**
 * One BullMQ queue seen from outside, as an operator would: how many workers are connected and how
 * many jobs are unfinished. Nothing here reads job ids or job data.
 */
export class QueueCounts {
  private readonly queue: Queue;

  constructor(connection: Redis, name: string, prefix: string) {
    this.queue = new Queue(name, { connection, prefix });
    this.queue.on('error', () => undefined);
  }

  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async unfinished(): Promise<number> {
    const counts = await this.queue.getJobCounts(...UNFINISHED);
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** Resolves once no job is waiting or running, so nothing of one run spills into the next. */
  async idle(): Promise<void> {
    const deadline = performance.now() + IDLE_TIMEOUT_MS;
    while ((await this.unfinished()) > 0) {
      if (performance.now() > deadline) throw new Error(`queue still busy after ${IDLE_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  }

  /** The connection is the caller's (shared), so closing leaves it open. */
  close(): Promise<void> {
    return this.queue.close();
  }
}
