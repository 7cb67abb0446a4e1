import { Queue } from 'bullmq';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import type { Stack } from '../support/stack.js';

/** Reads of the stack's portfolio queue; the queue is closed after each read. */
export function portfolioQueue(stack: Stack) {
  const withQueue = async <T>(read: (queue: Queue) => Promise<T>): Promise<T> => {
    const queue = new Queue(PORTFOLIO_QUEUE, { connection: stack.redis, prefix: stack.config.QUEUE_PREFIX });
    try {
      return await read(queue);
    } finally {
      await queue.close();
    }
  };
  return {
    getJob: (id: string) => withQueue(async (queue) => (await queue.getJob(id)) ?? undefined),
    counts: () => withQueue(async (queue) => Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0)),
  };
}
