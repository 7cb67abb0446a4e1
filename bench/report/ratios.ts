import type { MemoryResult, Ratio, RunResult } from '../results.js';

type Goal = { op: '>=' | '<=' | '='; goal: number };

/** A run of the round being computed, by id; undefined when it is missing or had a problem. */
type Find = (id: string) => RunResult | undefined;

interface RatioRule extends Goal {
  id: string;
  target: number;
  label: string;
  value: (find: Find) => number | undefined;
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
function singleHitThroughput(find: Find): number | undefined {
  const rates = [find('singles-hits')?.rps, find('hit-scores')?.rps].filter((rps) => rps !== undefined);
  return rates.length === 2 ? Math.max(...rates) : undefined;
}

function missRules(workers: number): { throughput: RatioRule; latency: RatioRule } {
  const counted = `${workers} ${workers > 1 ? 'workers' : 'worker'}`;
  return {
    throughput: {
      id: `miss-throughput-${workers}w`,
      target: 1,
      label: `Saturated misses, ${counted} / one-job-per-request queue floor (rps)`,
      op: '>=',
      goal: 1.5,
      value: (find) => divide(find(`miss-saturated-${workers}w`)?.rps, find('queue-floor-saturated')?.rps),
    },
    latency: {
      id: `miss-latency-${workers}w`,
      target: 2,
      label: `Sequential miss p50, ${counted} / queue floor p50`,
      op: '<=',
      goal: 1.5,
      value: (find) =>
        divide(find(`miss-sequential-${workers}w`)?.latencyMs.p50, find('queue-floor-sequential')?.latencyMs.p50),
    },
  };
}

/**
 * Issue 12's table, in its order, then issue 5's hit p99. Each is computed per round, from runs of
 * that round only.
 */
const ROUND_RULES: RatioRule[] = [
  missRules(1).throughput,
  missRules(2).throughput,
  missRules(1).latency,
  missRules(2).latency,
  {
    id: 'miss-cpu-vs-hit',
    target: 3,
    label: 'Server CPU per saturated miss (1 worker) / per hit (/scores)',
    op: '<=',
    goal: 2.5,
    value: (find) =>
      divide(find('miss-saturated-1w')?.cpuPerRequest.serverUs, find('hit-scores')?.cpuPerRequest.serverUs),
  },
  {
    id: 'batch-vs-singles',
    target: 4,
    label: 'Batch of 1,000 hits, applicants/s / single hits on /scores, requests/s (the better of two runs)',
    op: '>=',
    goal: 10,
    value: (find) => divide(batchThroughput(find('batch-hits')), singleHitThroughput(find)),
  },
  {
    id: 'paced-redis-commands',
    target: 5,
    label: 'Redis commands per miss at the paced rate / queue floor per job',
    op: '<=',
    goal: 1.2,
    value: (find) =>
      divide(find('paced-misses')?.cpuPerRequest.redisCommands, find('paced-queue-floor')?.cpuPerRequest.redisCommands),
  },
  {
    id: 'paced-cpu',
    target: 6,
    label: 'Gateway + worker CPU per miss at the paced rate / queue floor per job',
    op: '<=',
    goal: 1.2,
    value: (find) =>
      divide(find('paced-misses')?.cpuPerRequest.serverUs, find('paced-queue-floor')?.cpuPerRequest.serverUs),
  },
  {
    id: 'hit-throughput',
    target: 7,
    label: 'Hit rps (/scores) / node:http floor rps',
    op: '>=',
    goal: 0.5,
    value: (find) => divide(find('hit-scores')?.rps, find('floor')?.rps),
  },
  {
    id: 'hit-p99',
    target: 7,
    label: 'Hit p99 (/scores) / node:http floor p99',
    op: '<=',
    goal: 2,
    value: (find) => divide(find('hit-scores')?.latencyMs.p99, find('floor')?.latencyMs.p99),
  },
];

function meets({ op, goal }: Goal, value: number): boolean {
  if (op === '>=') return value >= goal;
  if (op === '<=') return value <= goal;
  return value === goal;
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return undefined;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `values` holds one ratio per round, or undefined when that round lacks a run: then it is not measured. */
function toRatio(rule: Omit<RatioRule, 'value'>, values: ReadonlyArray<number | undefined>): Ratio {
  const measured = values.length > 0 && values.every((value) => value !== undefined);
  const known = measured ? (values as number[]) : [];
  const value = median(known);
  return {
    id: rule.id,
    target: rule.target,
    label: rule.label,
    value: value ?? null,
    values: known,
    min: known.length ? Math.min(...known) : null,
    max: known.length ? Math.max(...known) : null,
    goal: `${rule.op === '=' ? '=' : rule.op === '>=' ? '≥' : '≤'} ${rule.goal}`,
    met: value !== undefined && meets(rule, value),
  };
}

/**
 * Every target, computed from runs of this same invocation: per round from that round's runs, judged
 * on the median. A run that failed (has problems) counts as missing, and a target missing in any
 * round is not measured, hence missed: nothing is ever met by default.
 */
export function computeRatios(runs: readonly RunResult[], memory: MemoryResult | null): Ratio[] {
  const rounds = [...new Set(runs.map((run) => run.round))].sort((a, b) => a - b);
  const finder =
    (round: number): Find =>
    (id) =>
      runs.find((run) => run.id === id && run.round === round && run.problems.length === 0);
  const storms = runs.filter((run) => run.group === 'storm');
  const stormsOk = storms.length > 0 && storms.every((run) => run.problems.length === 0 && run.work);
  const worstStorm = stormsOk ? Math.max(...storms.map((run) => run.work!.modelRuns)) : undefined;
  return [
    ...ROUND_RULES.map((rule) =>
      toRatio(
        rule,
        rounds.map((round) => rule.value(finder(round))),
      ),
    ),
    toRatio(
      {
        id: 'storm-model-runs',
        target: 8,
        label: 'Model runs per storm of identical new applicants (worst round)',
        op: '=',
        goal: 1,
      },
      [worstStorm],
    ),
    toRatio(
      {
        id: 'bytes-per-entry',
        target: 9,
        label: 'Bytes per cached applicant, key + hash (largest entry)',
        op: '<=',
        goal: 128,
      },
      [memory?.maxBytes],
    ),
  ];
}
