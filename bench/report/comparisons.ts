import type { RunResult } from '../results.js';

/** One run set against the baseline it is meant to be read with. */
export interface Comparison {
  /** e.g. "rps / floor". */
  what: string;
  value: number;
}

/** The run `id` of the same round as `of`: a run is read against the baseline it was interleaved with. */
function find(runs: readonly RunResult[], id: string, of: RunResult): RunResult | undefined {
  return runs.find((run) => run.id === id && run.round === of.round && run.problems.length === 0);
}

function vs(what: string, a: number, b: number | undefined): Comparison | undefined {
  return b ? { what, value: a / b } : undefined;
}

/**
 * The one ratio each run is read against: hit runs and baseline b against the floor's rps;
 * saturated misses against the queue floor's saturated rps; sequential misses against the queue
 * floor's sequential p50; paced misses against the paced queue floor's Redis commands per request.
 * Always the baseline run of the same round. Other runs (mix, storm, batches, polls) have no single baseline.
 */
export function headlineComparison(run: RunResult, runs: readonly RunResult[]): Comparison | undefined {
  const floor = find(runs, 'floor', run);
  const queueSaturated = find(runs, 'queue-floor-saturated', run);
  const queueSequential = find(runs, 'queue-floor-sequential', run);
  if (run.group === 'hit' || run.id === 'express-zod') return vs('rps / floor', run.rps, floor?.rps);
  if (run.group === 'miss' && run.id.startsWith('miss-saturated'))
    return vs('rps / queue floor', run.rps, queueSaturated?.rps);
  if (run.group === 'miss') return vs('p50 / queue floor', run.latencyMs.p50, queueSequential?.latencyMs.p50);
  if (run.group === 'paced') {
    const floorRun = find(runs, 'paced-queue-floor', run);
    return vs('Redis commands / queue floor', run.cpuPerRequest.redisCommands, floorRun?.cpuPerRequest.redisCommands);
  }
  return undefined;
}

/** The baseline a run's CPU per request is best compared with, if any. */
export function cpuBaseline(run: RunResult, runs: readonly RunResult[]): RunResult | undefined {
  if (run.group === 'hit') return find(runs, 'floor', run);
  if (run.group === 'paced') return find(runs, 'paced-queue-floor', run);
  if (run.group === 'miss') {
    return find(runs, run.id.startsWith('miss-sequential') ? 'queue-floor-sequential' : 'queue-floor-saturated', run);
  }
  return undefined;
}
