import { Queue } from 'bullmq';
import { KeySpace } from '../../shared/keys.js';
import { pino } from 'pino';
import type { Applicant } from '../../shared/applicant.js';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import { startPortfolioWorker, type PortfolioWorker } from '../../worker/portfolio-worker.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { keysUnder } from '../support/redis.js';
import type { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

export const CSV_COLUMNS = [
  'installment_rate_in_percentage_of_disposable_income',
  'age_in_years',
  'foreign_worker',
  'present_employment_since',
  'personal_status_and_sex',
] as const;

/** A CSV file as a client writes it: header, then one line per row (`id` first when given). */
export function csvOf(rows: Array<{ id?: string; applicant: Applicant }>): string {
  const withIds = rows.some((row) => row.id !== undefined);
  const header = (withIds ? ['id', ...CSV_COLUMNS] : [...CSV_COLUMNS]).join(',');
  const lines = rows.map(({ id, applicant }) => {
    const cells = CSV_COLUMNS.map((column) => String(applicant[column]));
    return (withIds ? [id ?? '', ...cells] : cells).join(',');
  });
  return `${header}\n${lines.join('\n')}\n`;
}

export function upload(stack: Stack, body: string, type = 'text/csv'): Promise<Response> {
  return fetch(`${stack.url}/portfolios`, { method: 'POST', headers: { 'content-type': type }, body });
}

export async function untilFinished(
  stack: Stack,
  location: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  return waitUntil(
    `portfolio ${location} to finish`,
    async () => {
      const { body } = await stack.get(location);
      return ['completed', 'failed', 'cancelled'].includes(String(body.status)) && body;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

export async function ndjsonLines(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The portfolio worker, in this process, on the stack's Redis and prefixes. */
export async function startPortfolioWorkerFor(stack: Stack): Promise<PortfolioWorker> {
  return startPortfolioWorker(stack.config, pino({ level: 'silent' }), await loadModel(stack.config));
}

/** Removes the portfolio queue's keys (Stack.stop removes the score queue and the cache prefix). */
export async function obliteratePortfolioQueue(stack: Stack): Promise<void> {
  const queue = new Queue(PORTFOLIO_QUEUE, { connection: stack.redis, prefix: stack.config.QUEUE_PREFIX });
  await queue.obliterate({ force: true });
  await queue.close();
}

/** Every portfolio key (records, chunks, client counters) the stack holds. */
export function portfolioKeys(stack: Stack): Promise<string[]> {
  return keysUnder(stack.redis, KeySpace.of(stack.config).portfolio(''));
}
