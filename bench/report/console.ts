import type { RunResult, SuiteResults } from '../results.js';
import { headlineComparison } from './comparisons.js';
import { integer, ms, ratio, spread } from './format.js';

/** Columns padded to their widest cell: the text column left-aligned, figures right-aligned. */
function aligned(rows: readonly string[][], textColumn: number): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === textColumn ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  '),
  );
}

/** One line per run as it finishes. */
export function progressLine(run: RunResult): string {
  const work = run.work ? `, ${integer(run.work.modelRuns)} model runs` : '';
  const problems = run.problems.length ? `  FAILED: ${run.problems.join('; ')}` : '';
  return (
    `${run.label.padEnd(50)} ${integer(run.rps).padStart(7)} rps  p50 ${ms(run.latencyMs.p50).padStart(6)} ms  ` +
    `p99 ${ms(run.latencyMs.p99).padStart(6)} ms  server CPU ${integer(run.cpuPerRequest.serverUs)} µs/req${work}${problems}`
  );
}

/** The summary printed at the end: every run, then every target, met or MISSED. */
export function summaryTable(results: SuiteResults): string {
  const { runs } = results;
  const runRows = [
    ['run', 'conns', 'rps', 'p50 ms', 'p99 ms', 'server µs/req', 'model runs', 'vs baseline', 'ok'],
    ...runs.map((run) => {
      const comparison = headlineComparison(run, runs);
      return [
        run.label,
        String(run.connections),
        integer(run.rps),
        ms(run.latencyMs.p50),
        ms(run.latencyMs.p99),
        integer(run.cpuPerRequest.serverUs),
        run.work ? integer(run.work.modelRuns) : '',
        comparison ? `${ratio(comparison.value)} ${comparison.what}` : '',
        run.problems.length ? 'FAILED' : 'ok',
      ];
    }),
  ];
  const targetRows = [
    ['#', 'target', 'median', 'spread', 'goal', 'result'],
    ...results.ratios.map((r) => [
      String(r.target),
      r.label,
      ratio(r.value),
      spread(r),
      r.goal,
      r.met ? 'met' : 'MISSED',
    ]),
  ];
  const memory = results.memory
    ? `memory: ${ms(results.memory.meanBytes)} bytes per cached applicant on average (largest ${results.memory.maxBytes}), ` +
      `keys as long as production's`
    : 'memory: not measured';
  const { portfolio } = results;
  const portfolioLine = portfolio
    ? `portfolio: ${integer(portfolio.cold.rows)} rows, cold ${integer(portfolio.cold.rowsPerS)} rows/s, warm ${integer(portfolio.warm.rowsPerS)} rows/s, ` +
      `gateway RSS +${integer(portfolio.cold.gatewayRssGrowthMb)} MB cold`
    : 'portfolio: not measured';
  return [...aligned(runRows, 0), '', memory, portfolioLine, '', ...aligned(targetRows, 1)].join('\n');
}
