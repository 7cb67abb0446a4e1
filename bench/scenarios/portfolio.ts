import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CSV_HEADER_FIELDS, type PortfolioResult, type PortfolioRun } from './portfolio-file.js';
import type { BenchContext } from '../context.js';
import { ServiceStack } from '../service.js';
import { loadConfig } from '../../shared/config.js';
import { KeySpace } from '../../shared/keys.js';

export type { PortfolioResult } from './portfolio-file.js';

const FULL_ROWS = 1_000_000;
const SMOKE_ROWS = 20_000;
const LINES_PER_PIECE = 2000;
const RSS_SAMPLE_MS = 100;
const POLL_MS = 100;
/** Ceiling of one portfolio's wait: generous, the bench waits on the condition. */
const FINISH_CEILING_MS = 600_000;

/** A deterministic pseudo-random stream (mulberry32), so cold and warm runs upload the same file. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EMPLOYMENT = ['unemployed', 'less than 1 year', '1 to 4 years', '4 to 7 years', '7 years or more'];
const STATUS = [
  'male: divorced/separated',
  'female: divorced/separated/married',
  'male: single',
  'male: married/widowed',
  'female: single',
];

/**
 * A generated book of `rows` applicants as CSV, produced while it is sent (never whole in memory):
 * installment shares to the cent, ages 18–75, every category, a loan id per row.
 */
export function generatedCsv(rows: number): Readable {
  const next = random(14);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  let written = 0;
  return Readable.from(
    (function* () {
      yield `id,${CSV_HEADER_FIELDS.join(',')}\n`;
      while (written < rows) {
        const lines: string[] = [];
        for (let i = 0; i < LINES_PER_PIECE && written < rows; i++, written++) {
          const share = (1 + Math.floor(next() * 100)) / 100;
          const age = 18 + Math.floor(next() * 58);
          lines.push(`L${written},${share},${age},${pick(['yes', 'no'])},${pick(EMPLOYMENT)},${pick(STATUS)}`);
        }
        yield lines.join('\n') + '\n';
      }
    })(),
  );
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Counts the lines of a streamed answer without keeping it. */
async function countLines(body: ReadableStream<Uint8Array>): Promise<number> {
  let lines = 0;
  for await (const piece of body) {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines += 1;
  }
  return lines;
}

async function onePortfolio(
  ctx: BenchContext,
  stack: ServiceStack,
  rows: number,
  label: 'cold' | 'warm',
): Promise<PortfolioRun> {
  const gatewayPid = stack.underTest.serverPids[0]!;
  const rssBefore = rssBytes(gatewayPid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(gatewayPid))), RSS_SAMPLE_MS);
  const started = performance.now();
  try {
    const accepted = await fetch(`${stack.url}/portfolios`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(generatedCsv(rows)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    if (accepted.status !== 202) throw new Error(`upload answered ${accepted.status}: ${await accepted.text()}`);
    const uploadedS = (performance.now() - started) / 1000;
    const uploadRssGrowthMb = (rssPeak - rssBefore) / 2 ** 20;
    const location = accepted.headers.get('location')!;
    const id = location.split('/').pop()!;
    const keys = await ctx.redis.keysMatching(`${portfolioKeyOf(stack, id)}*`);
    const waitingBytes = (await ctx.redis.memoryUsage(keys)).reduce((sum, bytes) => sum + bytes, 0);
    const deadline = performance.now() + FINISH_CEILING_MS;
    for (;;) {
      const status = (await (await fetch(`${stack.url}${location}`)).json()) as { status: string };
      if (status.status === 'completed') break;
      if (status.status !== 'queued' && status.status !== 'active') throw new Error(`portfolio ${status.status}`);
      if (performance.now() > deadline) throw new Error('portfolio not finished in time');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const scoredS = (performance.now() - started) / 1000;
    const results = await fetch(`${stack.url}${location}/results`);
    const lines = await countLines(results.body!);
    const totalS = (performance.now() - started) / 1000;
    if (lines !== rows) throw new Error(`${lines} result lines for ${rows} rows`);
    const doneKeys = await ctx.redis.keysMatching(`${portfolioKeyOf(stack, id)}*`);
    const doneBytes = (await ctx.redis.memoryUsage(doneKeys)).reduce((sum, bytes) => sum + bytes, 0);
    return {
      label,
      rows,
      uploadS: uploadedS,
      scoredS,
      totalS,
      rowsPerS: rows / totalS,
      gatewayRssGrowthMb: (rssPeak - rssBefore) / 2 ** 20,
      uploadRssGrowthMb,
      redisBytesPerWaitingRow: waitingBytes / rows,
      redisBytesPerFinishedRow: doneBytes / rows,
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Issue 14: a generated CSV (1,000,000 rows; 20,000 in smoke mode) uploaded, scored and its
 * results downloaded, end to end, first with a cold cache, then again warm. Reports rows/s, the
 * gateway's RSS growth while it runs, and the Redis bytes a row costs waiting and finished.
 */
export async function runPortfolio(ctx: BenchContext): Promise<PortfolioResult> {
  const rows = ctx.settings.mode === 'smoke' ? SMOKE_ROWS : FULL_ROWS;
  const stack = await ServiceStack.start(ctx, {
    name: 'portfolio',
    workers: 1,
    env: { PORTFOLIO_MAX_ACTIVE: '4', HTTP_REQUEST_TIMEOUT_MS: String(FINISH_CEILING_MS) },
  });
  try {
    const cold = await onePortfolio(ctx, stack, rows, 'cold');
    const warm = await onePortfolio(ctx, stack, rows, 'warm');
    for (const run of [cold, warm]) {
      console.log(
        `portfolio ${run.label}: ${run.rows} rows in ${run.totalS.toFixed(1)} s (upload ${run.uploadS.toFixed(1)} s, ` +
          `scored ${run.scoredS.toFixed(1)} s) = ${Math.round(run.rowsPerS)} rows/s; gateway RSS +${run.gatewayRssGrowthMb.toFixed(1)} MB (+${run.uploadRssGrowthMb.toFixed(1)} MB by the 202); ` +
          `Redis ${run.redisBytesPerWaitingRow.toFixed(1)} B/row waiting, ${run.redisBytesPerFinishedRow.toFixed(1)} B/row finished`,
      );
    }
    return { cold, warm, targets: { coldRowsPerS: 50_000, warmRowsPerS: 100_000, rssGrowthMb: 100 } };
  } finally {
    await stack.stop();
  }
}

/** Where the service under test keeps portfolio `id` (its key space, from the namespace it was started with). */
function portfolioKeyOf(stack: ServiceStack, id: string): string {
  const { cachePrefix, queuePrefix } = stack.namespace;
  return KeySpace.of(loadConfig({ CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix })).portfolio(id);
}
