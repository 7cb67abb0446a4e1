import type { SuiteResults } from '../results.js';
import { cpuBaseline } from './comparisons.js';
import { integer, ms, ratio } from './format.js';
import { table } from './markdown-table.js';
import { batchThroughput } from './ratios.js';

const vs = (a: number, b: number | undefined) => (b ? ratio(a / b) : 'not measured');

/** Each hit endpoint (and baseline b) against both hit baselines: how much of the gap the framework explains. */
export function hitComparison({ runs }: SuiteResults): string[] {
  const express = runs.find((run) => run.id === 'express-zod');
  return table(
    ['Run', 'rps / a', 'p99 / a', 'CPU per request / a', 'rps / b', 'p99 / b', 'CPU per request / b'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    runs
      .filter((run) => run.group === 'hit' || run.id === 'express-zod')
      .map((run) => [run, runs.find((r) => r.id === 'floor' && r.round === run.round)] as const)
      .map(([run, floor]) => [
        run.label,
        vs(run.rps, floor?.rps),
        vs(run.latencyMs.p99, floor?.latencyMs.p99),
        vs(run.cpuPerRequest.serverUs, floor?.cpuPerRequest.serverUs),
        vs(run.rps, express?.rps),
        vs(run.latencyMs.p99, express?.latencyMs.p99),
        vs(run.cpuPerRequest.serverUs, express?.cpuPerRequest.serverUs),
      ]),
  );
}

/** Misses against the queue floor run of the same shape (sequential or saturated). */
export function missComparison({ runs }: SuiteResults): string[] {
  return table(
    ['Run', 'Queue floor run', 'rps / c', 'p50 / c', 'p99 / c', 'CPU per request / c'],
    ['l', 'l', 'r', 'r', 'r', 'r'],
    runs
      .filter((run) => run.group === 'miss' || run.group === 'paced')
      .map((run) => {
        const c = cpuBaseline(run, runs);
        return [
          run.label,
          c?.label ?? 'not measured',
          vs(run.rps, c?.rps),
          vs(run.latencyMs.p50, c?.latencyMs.p50),
          vs(run.latencyMs.p99, c?.latencyMs.p99),
          vs(run.cpuPerRequest.serverUs, c?.cpuPerRequest.serverUs),
        ];
      }),
  );
}

/** Batches by wall time per request; single hits by the wall time of all of them. */
export function batches({ runs }: SuiteResults): string[] {
  const rows = runs
    .filter((run) => run.group === 'batch')
    .map((run) => {
      const perRequest = run.applicantsPerRequest ?? 1;
      const wallMs = run.applicantsPerRequest ? run.latencyMs.p50 : run.elapsedS * 1000;
      const applicantsPerS = batchThroughput(run) ?? run.rps;
      return [
        run.label,
        integer(perRequest),
        ms(wallMs),
        integer(applicantsPerS),
        ms(run.cpuPerRequest.serverUs / perRequest),
      ];
    });
  const hitScores = runs.find((run) => run.id === 'hit-scores');
  const saturated = hitScores
    ? [
        '',
        `For comparison, the saturated hit run on /scores served ${integer(hitScores.rps)} requests/s; target 4 divides ` +
          'the batch by the better of that and the single-hit run above.',
      ]
    : [];
  return [
    ...table(
      [
        'Run',
        'Applicants per request',
        'Wall ms (batch: p50 of one; singles: all of them)',
        'Applicants/s',
        'Server CPU µs per applicant',
      ],
      ['l', 'r', 'r', 'r', 'r'],
      rows,
    ),
    ...saturated,
  ];
}

export function poll({ runs }: SuiteResults): string[] {
  const run = runs.find((r) => r.id === 'poll');
  if (!run) return ['Not measured.'];
  return [
    `${integer(run.requests)} jobs, one at a time: submit → completed seen in p50 ${ms(run.latencyMs.p50)} ms, ` +
      `p99 ${ms(run.latencyMs.p99)} ms, ${(run.pollsPerJob ?? 0).toFixed(1)} polls per job (polled back to back).`,
  ];
}

/** The portfolio row: rows/s end to end, gateway RSS growth and Redis bytes per row, against the targets. */
export function portfolio({ portfolio: result }: SuiteResults): string[] {
  if (!result) return ['Not measured.'];
  const { cold, warm, targets } = result;
  const line = (run: typeof cold, target: number) =>
    `| ${run.label} | ${integer(run.rows)} | ${integer(run.rowsPerS)} (goal ≥ ${integer(target)}: ${run.rowsPerS >= target ? 'met' : 'MISSED'}) | ` +
    `${ms(run.uploadS)} / ${ms(run.totalS)} | ${ms(run.uploadRssGrowthMb)} / ${ms(run.gatewayRssGrowthMb)} (goal ≤ ${integer(targets.rssGrowthMb)}) | ` +
    `${ms(run.redisBytesPerWaitingRow)} |`;
  return [
    '| cache | rows | rows/s end to end | s to 202 / to last result | gateway RSS growth MB, by the 202 / whole run | Redis bytes per waiting row |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    line(cold, targets.coldRowsPerS),
    line(warm, targets.warmRowsPerS),
  ];
}

export function memory({ memory }: SuiteResults): string[] {
  if (!memory) return ['Not measured.'];
  const claim =
    memory.claimBytes === null
      ? ''
      : ` While its claim lives (the job retention period), a scored miss also holds a claim key of ${integer(memory.claimBytes)} bytes (under the bench's prefix) on the queue's Redis; that is queue bookkeeping, not the cache.`;
  return [
    `${integer(memory.entries)} cached applicants written by the service, measured with MEMORY USAGE (SAMPLES 0) as ` +
      `copies under keys as long as production's (\`${memory.exampleKey}\`): mean **${ms(memory.meanBytes)} bytes**, ` +
      `smallest ${memory.minBytes}, largest ${memory.maxBytes}. Under the bench's longer prefix (\`${memory.asWritten.prefix}\`) ` +
      `they took ${ms(memory.asWritten.meanBytes)} bytes on average.${claim}`,
  ];
}
