import { orUnavailable, StillReceiving } from '../../shared/errors.js';
import type { KeySpace } from '../../shared/keys.js';
import type { RedisClient } from '../../shared/redis.js';

export type PortfolioStatus = 'receiving' | 'queued' | 'active' | 'completed' | 'failed' | 'cancelled';

/** A portfolio's record as stored (the worker adds rows_done and the final status). */
export interface PortfolioRecord {
  status: PortfolioStatus;
  rowsTotal: number;
  rowsInvalid: number;
  rowsDone: number;
  chunks: number;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * A portfolio's record and sealed row chunks on the queue's Redis (never evicted). An upload that
 * fails is removed at once (discard); commit gives the record the retention. While it is received,
 * record and chunks live `receivingTtlMs` from the last chunk stored: longer than an upload may
 * last, so a live upload never loses them, and they lapse on their own when its gateway dies.
 */
export class PortfolioStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
    private readonly options: { retentionS: number; receivingTtlMs: number; maxActive: number },
  ) {}

  /** How many of the client's portfolios are unfinished; forgets finished and expired ones. */
  async activeCount(client: string): Promise<number> {
    const key = this.keys.activePortfolios(client);
    const ids = await orUnavailable(() => this.redis.zrange(key, 0, -1));
    const statuses = await orUnavailable(() =>
      Promise.all(ids.map((id) => this.redis.hget(this.keys.portfolio(id), 'status'))),
    );
    const gone = ids.filter((_, i) => statuses[i] === null || FINISHED.has(statuses[i]!));
    if (gone.length > 0) await orUnavailable(() => this.redis.zrem(key, ...gone));
    return ids.length - gone.length;
  }

  /** Starts a portfolio's record, counted against its client until it finishes. */
  async open(portfolioId: string, client: string): Promise<void> {
    const record = this.keys.portfolio(portfolioId);
    await orUnavailable(() =>
      this.redis
        .multi()
        .hset(record, { status: 'receiving', rows_total: 0, rows_invalid: 0, rows_done: 0, chunks: 0 })
        .pexpire(record, this.options.receivingTtlMs)
        .zadd(this.keys.activePortfolios(client), Date.now(), portfolioId)
        .expire(this.keys.activePortfolios(client), this.options.retentionS)
        .exec(),
    );
  }

  /**
   * Stores a chunk, and with it how many rows (and of them invalid) the upload has brought so far,
   * which a status read shows while it is `receiving`.
   */
  async putRows(
    portfolioId: string,
    chunk: number,
    sealed: Buffer,
    received: { rows: number; invalid: number },
  ): Promise<void> {
    const { receivingTtlMs } = this.options;
    const record = this.keys.portfolio(portfolioId);
    await orUnavailable(() =>
      Promise.all([
        this.redis.set(this.keys.portfolioRows(portfolioId, chunk), sealed, 'PX', receivingTtlMs),
        this.redis
          .multi()
          .hset(record, { rows_total: received.rows, rows_invalid: received.invalid })
          .pexpire(record, receivingTtlMs)
          .exec(),
      ]),
    );
  }

  /** The upload is whole: counts stored, everything kept JOB_RETENTION_SECONDS. */
  async commit(portfolioId: string, counts: { rows: number; invalid: number; chunks: number }): Promise<void> {
    const { retentionS } = this.options;
    const multi = this.redis
      .multi()
      .hset(this.keys.portfolio(portfolioId), {
        status: 'queued',
        rows_total: counts.rows,
        rows_invalid: counts.invalid,
        chunks: counts.chunks,
      })
      .expire(this.keys.portfolio(portfolioId), retentionS);
    for (let chunk = 0; chunk < counts.chunks; chunk++)
      multi.expire(this.keys.portfolioRows(portfolioId, chunk), retentionS);
    await orUnavailable(() => multi.exec());
  }

  /** Removes an upload that did not finish: its record and every chunk it wrote. */
  async discard(portfolioId: string, chunks: number, client: string): Promise<void> {
    const keys = [this.keys.portfolio(portfolioId)];
    for (let chunk = 0; chunk < chunks; chunk++) keys.push(this.keys.portfolioRows(portfolioId, chunk));
    // One DEL per key: valid on a Redis Cluster, where the keys may sit in different slots.
    await orUnavailable(() =>
      Promise.all([
        ...keys.map((key) => this.redis.del(key)),
        this.redis.zrem(this.keys.activePortfolios(client), portfolioId),
      ]),
    );
  }

  async read(portfolioId: string): Promise<PortfolioRecord | undefined> {
    const hash = await orUnavailable(() => this.redis.hgetall(this.keys.portfolio(portfolioId)));
    if (!hash.status) return undefined;
    const rowsDone = Number(hash.rows_done ?? 0);
    const stored = hash.status as PortfolioStatus;
    return {
      status: stored === 'queued' && rowsDone > 0 ? 'active' : stored,
      rowsTotal: Number(hash.rows_total ?? 0),
      rowsInvalid: Number(hash.rows_invalid ?? 0),
      rowsDone,
      chunks: Number(hash.chunks ?? 0),
    };
  }

  /** Marks a queued portfolio cancelled; false when it had already finished; throws StillReceiving while it is uploaded. */
  async cancel(portfolioId: string): Promise<boolean> {
    const record = this.keys.portfolio(portfolioId);
    const status = await orUnavailable(() => this.redis.hget(record, 'status'));
    if (status === 'receiving') throw new StillReceiving();
    if (status !== 'queued') return false;
    await orUnavailable(() => this.redis.hset(record, 'status', 'cancelled'));
    return true;
  }

  /** One chunk's sealed answers (null once expired or not computed). */
  async answers(portfolioId: string, chunk: number): Promise<Buffer | null> {
    return orUnavailable(() => this.redis.getBuffer(this.keys.portfolioAnswers(portfolioId, chunk)));
  }

  /** One chunk's sealed rows (null once expired). */
  async rows(portfolioId: string, chunk: number): Promise<Buffer | null> {
    return orUnavailable(() => this.redis.getBuffer(this.keys.portfolioRows(portfolioId, chunk)));
  }
}
