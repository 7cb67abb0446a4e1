import type { RunResult, SuiteResults } from '../results.js';
import { BENCH_SERVICE_ENV } from '../settings.js';
import { headlineComparison } from './comparisons.js';
import { duration, integer, ms, ratio, spread } from './format.js';
import { table } from './markdown-table.js';
import { batches, hitComparison, memory, missComparison, poll, portfolio } from './sections.js';

function machineLine({ machine }: SuiteResults): string {
  const dirty = machine.uncommittedFiles ? ` + ${machine.uncommittedFiles} uncommitted files` : '';
  return [
    `${machine.cpus} × ${machine.cpuModel}`,
    `${machine.memoryGiB} GiB`,
    machine.os,
    `Node ${machine.node}`,
    `Redis ${machine.redis}`,
    `autocannon ${machine.autocannon}`,
    `commit ${machine.commit.slice(0, 10)}${dirty}`,
  ].join(' · ');
}

function settingsLine({ settings }: SuiteResults): string {
  const setting = ([name, value]: [string, string]) => `\`${name}=${value}\``;
  const fixed = Object.entries(BENCH_SERVICE_ENV).map(setting);
  const passed = Object.entries(settings.serviceEnv).map(setting);
  return (
    `Load: ${settings.connections} connections for saturated runs (${settings.saturatedS} s), 1 for sequential runs ` +
    `(${settings.sequentialS} s), warm-up ${settings.warmupS} s (hits) or ${settings.warmupMisses} requests (misses) ` +
    `before each; ${settings.rounds} round${settings.rounds > 1 ? 's' : ''} of interleaved baseline and service runs; ` +
    `paced runs at ${settings.pacedRate} misses/s for ${settings.pacedS} s on the bench's own redis-server, ` +
    `warm-up ${2 * settings.pacedRate} requests. Service settings: defaults, except ${fixed.join(', ')}` +
    (passed.length ? ` and, from the environment, ${passed.join(', ')}` : '') +
    '.'
  );
}

function targets(results: SuiteResults): string[] {
  return table(
    ['#', 'Ratio', 'Median', 'Spread (min–max)', 'Rounds', 'Target', 'Result'],
    ['r', 'l', 'r', 'r', 'r', 'r', 'l'],
    results.ratios.map((r) => [
      String(r.target),
      r.label,
      ratio(r.value),
      spread(r),
      String(r.values.length),
      r.goal,
      r.met ? 'met' : '**missed**',
    ]),
  );
}

function runRows(runs: readonly RunResult[]): string[][] {
  return runs.map((run) => {
    const comparison = headlineComparison(run, runs);
    const work = run.work;
    return [
      run.label,
      String(run.connections),
      integer(run.requests),
      integer(run.rps),
      ms(run.latencyMs.p50),
      ms(run.latencyMs.p99),
      integer(run.cpuPerRequest.serverUs),
      integer(run.cpuPerRequest.redisUs),
      integer(run.cpuPerRequest.redisCommands),
      integer(run.cpuPerRequest.clientUs),
      work ? integer(work.modelRuns) : '',
      work?.modelRuns ? (work.applicants / work.modelRuns).toFixed(1) : '',
      comparison ? `${ratio(comparison.value)} (${comparison.what})` : '',
      run.problems.length ? `**${run.problems.join('; ')}**` : 'none',
    ];
  });
}

function allRuns({ runs }: SuiteResults): string[] {
  return table(
    [
      'Run',
      'Conns',
      'Requests',
      'rps',
      'p50 ms',
      'p99 ms',
      'Server CPU µs/req',
      'Redis CPU µs/req',
      'Redis commands/req',
      'Bench CPU µs/req',
      'Model runs',
      'Applicants per model run',
      'Against its baseline',
      'Problems',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    runRows(runs),
  );
}

/** The human summary of one run: targets first, then every figure behind them. */
export function renderMarkdown(results: SuiteResults, svgFile: string): string {
  const lines = [
    `# Benchmark results, ${results.date} (${results.mode} run)`,
    '',
    machineLine(results),
    '',
    `Started ${results.startedAt}, took ${duration(results.durationS)}. Every baseline was measured in this same run, ` +
      'with the same connections, durations and request bodies as the service runs it is compared with. ' +
      'BENCHMARKS.md says what each run is and how to read every column.',
    '',
    settingsLine(results),
    ...(results.mode === 'smoke'
      ? ['', '**Smoke run**: every run lasts a moment, so these figures only prove the bench works.']
      : []),
    '',
    '## Targets (issue 12, and issue 5 rows 7–9)',
    '',
    'Each ratio is computed per round, from a baseline run and the service runs that followed it; the median ' +
      'decides met or missed, and the spread shows how far the rounds disagreed.',
    '',
    ...targets(results),
    '',
    '## Runs',
    '',
    'CPU is user + system time over the run divided by its requests: server from /proc/<pid>/stat of the gateway and ' +
      'workers (for a baseline, its own processes), Redis from INFO cpu, bench from the load generator itself. Model ' +
      "runs: the workers' `scoring_model_batch_size` count during the run. Redis commands: INFO commandstats over the " +
      "run; exact only for the paced runs, whose Redis is the bench's own (on the shared Redis it counts everyone's).",
    '',
    ...allRuns(results),
    '',
    `![p50 and p99 latency per run, log scale](${svgFile})`,
    '',
    '## Hit path against baselines a (node:http + HGETALL) and b (Express 5 + zod)',
    '',
    ...hitComparison(results),
    '',
    '## Misses against baseline c (one BullMQ job per request, no-op worker), saturated, sequential and paced',
    '',
    ...missComparison(results),
    '',
    '## Batches',
    '',
    ...batches(results),
    '',
    '## Asynchronous jobs',
    '',
    ...poll(results),
    '',
    '## Memory',
    '',
    ...memory(results),
    '',
    '## Portfolio',
    '',
    ...portfolio(results),
    '',
    '## Failures',
    '',
    ...(results.failures.length ? results.failures.map((failure) => `- ${failure.split('\n')[0]}`) : ['None.']),
    '',
  ];
  return lines.join('\n');
}
