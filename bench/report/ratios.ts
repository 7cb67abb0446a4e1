import type { MemoryResult, Ratio, RunResult } from '../results.js';

type Goal = { op: '>=' | '<=' | '='; goal: number };

interface RatioRule extends Goal {
  id: string;
  target: number;
  label: string;
  value: (find: (id: string) => RunResult | undefined) => number | undefined;
}

/** a / b, undefined when either run is missing or the divisor is zero. */
function divide(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** A batch run's throughput in applicants per second, from its median wall time. */
export function batchThroughput(run: RunResult | undefined): number | undefined {
  return run?.applicantsPerRequest && run.latencyMs.p50 > 0
    ? run.applicantsPerRequest / (run.latencyMs.p50 / 1000)
    : undefined;
}

/**
 * Single hits per second to compare a batch with: the run of exactly as many single requests, or
 * the saturated /scores run, whichever was faster. The short run pays for opening its connections
 * and for its tail, so taking the better of the two never flatters the batch.
 */
function singleHitThroughput(find: (id: string) => RunResult | undefined): number | undefined {
  const rates = [find('singles-hits')?.rps, find('hit-scores')?.rps].filter((rps) => rps !== undefined);
  return rates.length === 2 ? Math.max(...rates) : undefined;
}

function missRules(workers: number): RatioRule[] {
  const plural = workers > 1 ? 's' : '';
  return [
    {
      id: `miss-throughput-${workers}w`,
      target: 2,
      label: `Saturated miss rps, ${workers} worker${plural} / queue floor saturated rps`,
      op: '>=',
      goal: 2,
      value: (find) => divide(find(`miss-saturated-${workers}w`)?.rps, find('queue-floor-saturated')?.rps),
    },
    {
      id: `miss-latency-${workers}w`,
      target: 3,
      label: `Sequential miss p50, ${workers} worker${plural} / queue floor sequential p50`,
      op: '<=',
      goal: 1.5,
      value: (find) =>
        divide(find(`miss-sequential-${workers}w`)?.latencyMs.p50, find('queue-floor-sequential')?.latencyMs.p50),
    },
  ];
}

/** Issue 5's targets, in its order. */
const RULES: RatioRule[] = [
  {
    id: 'hit-throughput',
    target: 1,
    label: 'Hit rps (/scores) / floor rps',
    op: '>=',
    goal: 0.5,
    value: (find) => divide(find('hit-scores')?.rps, find('floor')?.rps),
  },
  {
    id: 'hit-p99',
    target: 1,
    label: 'Hit p99 (/scores) / floor p99',
    op: '<=',
    goal: 2,
    value: (find) => divide(find('hit-scores')?.latencyMs.p99, find('floor')?.latencyMs.p99),
  },
  missRules(1)[0]!,
  missRules(2)[0]!,
  missRules(1)[1]!,
  missRules(2)[1]!,
];

function meets({ op, goal }: Goal, value: number): boolean {
  if (op === '>=') return value >= goal;
  if (op === '<=') return value <= goal;
  return value === goal;
}

function toRatio(rule: Omit<RatioRule, 'value'>, value: number | undefined): Ratio {
  return {
    id: rule.id,
    target: rule.target,
    label: rule.label,
    value: value ?? null,
    goal: `${rule.op === '=' ? '=' : rule.op === '>=' ? '≥' : '≤'} ${rule.goal}`,
    met: value !== undefined && meets(rule, value),
  };
}

/**
 * Every target, computed from runs of this same invocation. A run that failed (has problems) counts
 * as missing, and a missing run misses its target: nothing is ever met by default.
 */
export function computeRatios(runs: readonly RunResult[], memory: MemoryResult | null): Ratio[] {
  const find = (id: string) => runs.find((run) => run.id === id && run.problems.length === 0);
  const storms = runs.filter((run) => run.group === 'storm');
  const stormsOk = storms.length > 0 && storms.every((run) => run.problems.length === 0 && run.work);
  const worstStorm = stormsOk ? Math.max(...storms.map((run) => run.work!.modelRuns)) : undefined;
  return [
    ...RULES.map((rule) => toRatio(rule, rule.value(find))),
    toRatio(
      {
        id: 'storm-model-runs',
        target: 4,
        label: 'Model runs per storm of identical new applicants (worst round)',
        op: '=',
        goal: 1,
      },
      worstStorm,
    ),
    toRatio(
      {
        id: 'bytes-per-entry',
        target: 5,
        label: 'Bytes per cached applicant, key + hash (largest entry)',
        op: '<=',
        goal: 128,
      },
      memory?.maxBytes,
    ),
    toRatio(
      {
        id: 'batch-vs-singles',
        target: 6,
        label: 'Batch of hits, applicants/s / single hits on /scores, requests/s (the better of two runs)',
        op: '>=',
        goal: 10,
      },
      divide(batchThroughput(find('batch-hits')), singleHitThroughput(find)),
    ),
  ];
}
