import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Queue } from 'bullmq';
import type { PortfolioQueueData } from '../../shared/portfolios.js';

/** What the board shows of a portfolio job's data: ids and counts (the rows are sealed in Redis, not in the job). */
function shownData(data: PortfolioQueueData) {
  return data.kind === 'chunk'
    ? { portfolio: data.portfolioId, chunk: `${data.chunk + 1}/${data.chunks}`, rows: data.rows }
    : { portfolio: data.portfolioId, rows: data.rows, chunks: data.chunks };
}

/** The portfolio queue on the board: one parent job per portfolio, its chunks as children. */
export function portfolioBoardAdapter(queue: Queue, readOnlyMode: boolean): BullMQAdapter {
  const adapter = new BullMQAdapter(queue, {
    readOnlyMode,
    description:
      'Portfolio rescoring: one parent job per portfolio (progress: rows answered), one child job per chunk ' +
      'of PORTFOLIO_CHUNK_ROWS rows. Names and data: the opaque portfolio id and counts; the rows are sealed.',
  });
  adapter.setFormatter('data', shownData);
  return adapter;
}
