import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import type { ScoreQueue } from '../scoring/scorer.js';

/** Where the board lives below BASE_PATH. */
export const BOARD_PATH = '/admin/queues';

/**
 * Bull Board for every queue the service uses. `basePath` is the prefix the browser sees (behind a
 * reverse proxy, BASE_PATH), because the board's page builds its asset and API URLs from it.
 * Read-only mode is enforced by the board's API too, not only hidden in its UI.
 */
export function queueBoard(queues: readonly ScoreQueue[], basePath: string, readOnlyMode: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(`${basePath}${BOARD_PATH}`);
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          readOnlyMode,
          description:
            'One job per distinct applicant: the name is the applicant code; the result holds the model time.',
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Credit scoring' } },
  });
  return serverAdapter.getRouter() as Router;
}
