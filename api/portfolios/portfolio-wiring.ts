import { FlowProducer, Queue } from 'bullmq';
import type { Config } from '../../shared/config.js';
import { ChunkSeal } from '../../shared/portfolio-chunk.js';
import { KeySpace } from '../../shared/keys.js';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import type { PublicIds } from '../../shared/public-id.js';
import type { RedisClient } from '../../shared/redis.js';
import { deriveKey } from '../../shared/secrets.js';
import type { ClientBudget } from '../scoring/client-budget.js';
import { PortfolioIntake } from './portfolio-intake.js';
import { PortfolioService } from './portfolio-service.js';
import { PortfolioStore } from './portfolio-store.js';

/**
 * Room past the upload deadline before the record and chunks of an upload whose gateway died lapse
 * on their own (a live upload is cut at the deadline, and removes them itself).
 */
const RECEIVING_MARGIN_MS = 60_000;

export interface Portfolios {
  intake: PortfolioIntake;
  service: PortfolioService;
  queue: Queue;
  close: () => Promise<void>;
}

/**
 * The gateway's portfolio side, on the queue's Redis (connections given by buildGateway): records
 * and chunks on `bookkeeping`, the flow producer and queue on `queueRedis`.
 */
export function buildPortfolios(
  config: Config,
  deps: { queueRedis: RedisClient; bookkeeping: RedisClient; ids: PublicIds; writeLimit: ClientBudget; secret: string },
): Portfolios {
  const queue = new Queue(PORTFOLIO_QUEUE, {
    connection: deps.queueRedis,
    prefix: config.QUEUE_PREFIX,
    skipVersionCheck: true,
  });
  // The service checks the queue Redis itself (version, eviction policy): BullMQ's check would print its own warning.
  const flows = new FlowProducer({ connection: deps.queueRedis, prefix: config.QUEUE_PREFIX, skipVersionCheck: true });
  const store = new PortfolioStore(deps.bookkeeping, KeySpace.of(config), {
    retentionS: config.JOB_RETENTION_SECONDS,
    receivingTtlMs: config.PORTFOLIO_UPLOAD_TIMEOUT_MS + RECEIVING_MARGIN_MS,
    maxActive: config.PORTFOLIO_MAX_ACTIVE,
  });
  const seal = new ChunkSeal(deriveKey(deps.secret, 'portfolio-chunk'));
  const intake = new PortfolioIntake({
    store,
    seal,
    flows,
    ids: deps.ids,
    writeLimit: deps.writeLimit,
    queuePrefix: config.QUEUE_PREFIX,
    options: {
      maxRows: config.PORTFOLIO_MAX_ROWS,
      chunkRows: config.PORTFOLIO_CHUNK_ROWS,
      maxActive: config.PORTFOLIO_MAX_ACTIVE,
      jobAttempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      retentionS: config.JOB_RETENTION_SECONDS,
    },
  });
  const service = new PortfolioService({ store, seal, queue, writeLimit: deps.writeLimit });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.all([flows.close(), queue.close()]).then(() => undefined));
  return { intake, service, queue, close };
}
