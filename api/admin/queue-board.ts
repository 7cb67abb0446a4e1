import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import { SCORE_QUEUE, ScoreJobResult, shardOfJob, type ScoreJobData } from '../../shared/queues.js';
import type { ScoreQueue } from '../../shared/queues.js';

/** Where the board lives below BASE_PATH. */
export const BOARD_PATH = '/admin/queues';

/**
 * What the board calls a queue shard: shards share BullMQ's queue name, and the board tells queues
 * apart by name, so shards after the first carry theirs (`score`, `shard-1:score`, …).
 */
function boardQueuePrefix(shard: number): string {
  return shard === 0 ? '' : `shard-${shard}:`;
}

/** The board's page of one job, on the shard its id names. */
export function boardJobLink(basePath: string, jobId: string): string {
  const queueName = `${boardQueuePrefix(shardOfJob(jobId))}${SCORE_QUEUE}`;
  return `${basePath}${BOARD_PATH}/queue/${encodeURIComponent(queueName)}/${encodeURIComponent(jobId)}`;
}

/** What the board shows of a job's data: how many applicants, for which requests; never the seal. */
function shownData(data: ScoreJobData) {
  return { applicants: data.count, requestIds: data.requestIds ?? [], modelVersion: data.modelVersion };
}

/** What the board shows of a job's result: counts and the model's time, not the ids and answers. */
function shownResult(returnValue: unknown) {
  const result = ScoreJobResult.safeParse(returnValue).data;
  if (!result) return returnValue === null || returnValue === undefined ? returnValue : {};
  const failed = result.results.filter((item) => 'error' in item).length;
  return { scored: result.results.length - failed, failed, modelMs: result.modelMs };
}

/**
 * Bull Board for every queue the service uses: each shard of the score queue, in shard order. `basePath` is the prefix the browser sees (behind a
 * reverse proxy, BASE_PATH), because the board's page builds its asset and API URLs from it.
 * Read-only mode is enforced by the board's API too, not only hidden in its UI.
 */
export function queueBoard(
  queues: readonly ScoreQueue[],
  basePath: string,
  readOnlyMode: boolean,
  otherQueues: readonly BullMQAdapter[] = [],
): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(`${basePath}${BOARD_PATH}`);
  createBullBoard({
    queues: queues
      .map((queue, shard) => {
        const adapter = new BullMQAdapter(queue, {
          readOnlyMode,
          prefix: boardQueuePrefix(shard),
          description:
            'Cache misses gathered into jobs of up to MISS_BATCH_MAX applicants, one model run each. ' +
            'Name: how many, and the first request (X-Request-Id). Data: the requests; the applicants are ' +
            'sealed. Result: how many were scored or failed, and the model time.',
        });
        adapter.setFormatter('data', shownData);
        adapter.setFormatter('returnValue', shownResult);
        return adapter;
      })
      .concat(otherQueues),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Credit scoring' } },
  });
  return serverAdapter.getRouter() as Router;
}
