import type { IncomingMessage } from 'node:http';
import type { FlowProducer } from 'bullmq';
import { Applicant } from '../../shared/applicant.js';
import { InvalidInput, TooManyPortfolios, TooManyRows } from '../../shared/errors.js';
import type { ChunkSeal } from '../../shared/portfolio-chunk.js';
import {
  chunkJobId,
  chunkJobName,
  PORTFOLIO_QUEUE,
  portfolioJobId,
  portfolioJobName,
  type ChunkJobData,
  type PortfolioJobData,
} from '../../shared/portfolios.js';
import type { PublicIds } from '../../shared/public-id.js';
import type { ClientBudget } from '../scoring/client-budget.js';
import { ChunkBuilder } from './chunk-builder.js';
import type { PortfolioStore } from './portfolio-store.js';
import { readRows, type PortfolioFormat } from './row-reader.js';
import { RowValidator } from './row-validator.js';

const REQUIRED_COLUMNS = Object.keys(Applicant.shape);

export interface IntakeOptions {
  maxRows: number;
  chunkRows: number;
  maxActive: number;
  jobAttempts: number;
  backoffMs: number;
  retentionS: number;
}

export interface Accepted {
  id: string;
  rows: number;
  invalid: number;
  chunks: number;
}

/**
 * Takes an upload in: reads it row by row, validates each row, reduces it to its applicant code,
 * and stores sealed chunks of PORTFOLIO_CHUNK_ROWS rows as they fill, so the gateway holds one
 * chunk at a time (and the set of codes seen so far, which gives each code to one chunk). Once the
 * file is whole it adds one BullMQ flow: a parent job for the portfolio, a child job per chunk. Anything that stops the upload (a bad header, too many rows, the client
 * going away, a limit) removes what it wrote before the error goes on.
 */
export class PortfolioIntake {
  constructor(
    private readonly deps: {
      store: PortfolioStore;
      seal: ChunkSeal;
      flows: FlowProducer;
      ids: PublicIds;
      writeLimit: ClientBudget;
      queuePrefix: string;
      options: IntakeOptions;
    },
  ) {}

  /** `opened` hears the id as soon as the upload is accepted to start (its record `receiving`). */
  async receive(
    body: IncomingMessage,
    format: PortfolioFormat,
    client: string,
    opened: (id: string) => void,
  ): Promise<Accepted> {
    const { store, options, writeLimit } = this.deps;
    if ((await store.activeCount(client)) >= options.maxActive) throw new TooManyPortfolios(options.maxActive);
    const id = this.deps.ids.newBatchId();
    await store.open(id, client);
    opened(id);
    let chunks = 0;
    try {
      const validator = new RowValidator();
      const builder = new ChunkBuilder(options.chunkRows);
      let rows = 0;
      let invalid = 0;
      const flush = async () => {
        // A stored chunk is one write to the queue's Redis: it spends the same budget as a batch record.
        await writeLimit.take(client, 1);
        await store.putRows(id, chunks, this.deps.seal.sealRows(id, chunks, builder.take()), { rows, invalid });
        chunks += 1;
      };
      for await (const batch of readRows(body, format, { required: REQUIRED_COLUMNS, optional: ['id'] })) {
        for (const raw of batch) {
          if (rows === options.maxRows) throw new TooManyRows(options.maxRows);
          const row = validator.check(raw);
          builder.add(row);
          if (!('code' in row)) invalid += 1;
          rows += 1;
          if (builder.full) await flush();
        }
      }
      if (builder.size > 0) await flush();
      if (rows === 0) throw new InvalidInput([{ path: '', message: 'the portfolio has no rows' }]);
      await store.commit(id, { rows, invalid, chunks });
      await this.addFlow(id, rows, chunks);
      return { id, rows, invalid, chunks };
    } catch (error) {
      await store.discard(id, chunks, client).catch(() => undefined);
      throw error;
    }
  }

  private async addFlow(id: string, rows: number, chunks: number): Promise<void> {
    const { options, queuePrefix } = this.deps;
    const keep = { removeOnComplete: { age: options.retentionS }, removeOnFail: { age: options.retentionS } };
    const parent: PortfolioJobData = { kind: 'portfolio', portfolioId: id, rows, chunks };
    await this.deps.flows.add({
      name: portfolioJobName(id, rows),
      queueName: PORTFOLIO_QUEUE,
      prefix: queuePrefix,
      data: parent,
      opts: { jobId: portfolioJobId(id), ...keep },
      children: Array.from({ length: chunks }, (_, chunk) => {
        const size = chunk < chunks - 1 ? options.chunkRows : rows - options.chunkRows * (chunks - 1);
        const data: ChunkJobData = { kind: 'chunk', portfolioId: id, chunk, chunks, rows: size };
        return {
          name: chunkJobName(id, chunk, chunks, size),
          queueName: PORTFOLIO_QUEUE,
          prefix: queuePrefix,
          data,
          opts: {
            jobId: chunkJobId(id, chunk),
            attempts: options.jobAttempts,
            backoff: { type: 'exponential', delay: options.backoffMs },
            // A chunk that fails all its tries fails the portfolio, which then answers its rows as failed.
            failParentOnFailure: true,
            ...keep,
          },
        };
      }),
    });
  }
}
