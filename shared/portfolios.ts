/**
 * What the gateway and the workers agree on about portfolios (issue 14): the queue, its jobs, and
 * the Redis key names of a portfolio's record and chunks. Every name holds the portfolio's opaque
 * id (random, shared/public-id.ts) and counts, never anything about an applicant.
 */

/** The queue portfolio jobs go to: one parent job per portfolio, one child job per chunk (a BullMQ flow). */
export const PORTFOLIO_QUEUE = 'portfolio';

/** Parent job: finishes the portfolio once every chunk is answered. */
export interface PortfolioJobData {
  kind: 'portfolio';
  portfolioId: string;
  rows: number;
  chunks: number;
}

/** Child job: scores one chunk of rows. */
export interface ChunkJobData {
  kind: 'chunk';
  portfolioId: string;
  chunk: number;
  chunks: number;
  rows: number;
}

export type PortfolioQueueData = PortfolioJobData | ChunkJobData;

/** What a chunk job returns (shown on the board): counts only. */
export interface ChunkJobResult {
  rows: number;
  /** Distinct codes this chunk answers for: those seen first in it. */
  owned: number;
  cacheHits: number;
  scored: number;
  skipped?: 'cancelled';
}

/** The parent job's BullMQ id (BullMQ forbids ':' in custom ids; public ids are base64url). */
export function portfolioJobId(portfolioId: string): string {
  return `pf-${portfolioId}`;
}

/** A chunk job's BullMQ id: deterministic, so a retried upload commit cannot add a chunk twice. */
export function chunkJobId(portfolioId: string, chunk: number): string {
  return `pf-${portfolioId}-${chunk}`;
}

/** Board names: which portfolio and how many rows. */
export function portfolioJobName(portfolioId: string, rows: number): string {
  return `portfolio ${portfolioId} · ${rows} rows`;
}

export function chunkJobName(portfolioId: string, chunk: number, chunks: number, rows: number): string {
  return `portfolio ${portfolioId} · chunk ${chunk + 1}/${chunks} · ${rows} rows`;
}
