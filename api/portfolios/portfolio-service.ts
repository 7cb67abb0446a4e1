import type { Queue } from 'bullmq';
import { NotFinished, NotFound } from '../../shared/errors.js';
import type { AnswerChunk, ChunkSeal } from '../../shared/portfolio-chunk.js';
import { chunkJobId, portfolioJobId } from '../../shared/portfolios.js';
import { PublicIds } from '../../shared/public-id.js';
import type { ClientBudget } from '../scoring/client-budget.js';
import type { PortfolioRecord, PortfolioStore } from './portfolio-store.js';
import { ResultsFormatter, type ResultsFormat } from './results-format.js';

/**
 * Rows per write of a download: about 50 KB of text, under the 128 KB past which V8 puts a string
 * in its large-object space (old generation) instead of the young one.
 */
const ROWS_PER_WRITE = 256;

/**
 * Status, results and cancellation of stored portfolios. Every call spends the client's write
 * budget like a poll (one unit; results one more per chunk read).
 */
export class PortfolioService {
  constructor(
    private readonly deps: {
      store: PortfolioStore;
      seal: ChunkSeal;
      queue: Queue;
      writeLimit: ClientBudget;
    },
  ) {}

  /** Throws NotFound for an id that is not a portfolio's, before any Redis call for a malformed one. */
  async status(id: string, client: string): Promise<PortfolioRecord> {
    if (!PublicIds.isPublicId(id)) throw new NotFound('that portfolio');
    await this.deps.writeLimit.take(client, 1);
    const record = await this.deps.store.read(id);
    if (!record) throw new NotFound('that portfolio');
    if (record.status === 'queued' || record.status === 'active') {
      // A chunk that failed all its tries failed the parent job (failParentOnFailure).
      const state = await this.deps.queue.getJobState(portfolioJobId(id));
      if (state === 'failed') return { ...record, status: 'failed' };
    }
    return record;
  }

  /** Cancels: chunks not yet run are removed, answers already computed stay readable. */
  async cancel(id: string, client: string): Promise<PortfolioRecord> {
    const record = await this.status(id, client);
    if (await this.deps.store.cancel(id)) {
      // A running chunk cannot be removed (it is locked): it sees the status and its answers still count.
      await Promise.all(
        Array.from({ length: record.chunks }, (_, chunk) =>
          this.deps.queue.remove(chunkJobId(id, chunk)).catch(() => 0),
        ),
      );
    }
    return (await this.deps.store.read(id)) ?? record;
  }

  /** The answers, chunk by chunk, in input order; `write` returns once the text is on its way (backpressure). */
  async results(
    id: string,
    client: string,
    format: ResultsFormat,
    write: (text: string) => Promise<void>,
  ): Promise<void> {
    const record = await this.status(id, client);
    if (record.status !== 'completed' && record.status !== 'cancelled' && record.status !== 'failed')
      throw new NotFinished();
    const missing =
      record.status === 'cancelled' ? 'cancelled before this row was scored' : 'scoring failed for this row';
    // Spent up front: a limit met mid-stream would cut the results short.
    await this.deps.writeLimit.take(client, record.chunks);
    const formatter = new ResultsFormatter(format, await this.answers(id, record.chunks), missing);
    for (let chunk = 0; chunk < record.chunks; chunk++) {
      const sealed = await this.deps.store.rows(id, chunk);
      if (!sealed) throw new NotFound('that portfolio');
      const rows = this.deps.seal.unsealRows(id, chunk, sealed);
      for (let from = 0; from < rows.codes.length; from += ROWS_PER_WRITE) {
        await write(formatter.lines(rows, from, from + ROWS_PER_WRITE));
      }
    }
  }

  /**
   * Every answer of the portfolio, by code: each sits with the chunk that owns its code, which may
   * come after the rows that need it. Small: one entry per distinct code (at most 3,600). A code
   * whose chunk never ran (cancelled, failed) has none.
   */
  private async answers(id: string, chunks: number): Promise<AnswerChunk> {
    const sealed = await Promise.all(Array.from({ length: chunks }, (_, chunk) => this.deps.store.answers(id, chunk)));
    const answers: AnswerChunk = new Map();
    sealed.forEach((bytes, chunk) => {
      if (bytes) for (const [code, score] of this.deps.seal.unsealAnswers(id, chunk, bytes)) answers.set(code, score);
    });
    return answers;
  }
}
