import type { BenchContext } from '../context.js';
import { runLoad, type Body, type LoadResult, type LoadSpec } from '../load.js';
import { withCpu } from '../measure.js';
import { subtractCounts } from '../model-runs.js';
import { toRun, type RunMeta, type RunResult } from '../results.js';
import type { Target } from '../target.js';

/** How to run one scenario against one target. */
export interface RunPlan {
  meta: RunMeta;
  path: string;
  load: Pick<
    LoadSpec,
    'durationS' | 'amount' | 'maxRequests' | 'headers' | 'expectedStatus' | 'timeoutS' | 'pacedRate' | 'countXCache'
  >;
  /** Bodies per run: called once for the warm-up and once for the measured run. */
  bodies: () => readonly Body[];
  /** An unrecorded run first, with bodies of its own; omit for none. */
  warmup?: Pick<LoadSpec, 'durationS' | 'amount'>;
  applicantsPerRequest?: number;
  /** Run once the target is idle, before the warm-up and before the measured run (e.g. forget cached answers). */
  reset?: () => Promise<void>;
  /** Problems only the scenario can see, asked after the run (e.g. never-seen applicants ran out). */
  problems?: (result: LoadResult) => string[];
}

/**
 * Warm-up, then the measured run with its CPU and the workers' model runs counted. Each step waits
 * until the target has no queued work, so stragglers of one run never land in the next.
 */
export async function measuredRun(ctx: BenchContext, target: Target, plan: RunPlan): Promise<RunResult> {
  const { requestsPerTimedRun } = ctx.settings;
  const load =
    requestsPerTimedRun !== null && plan.load.durationS !== undefined
      ? {
          ...plan.load,
          durationS: undefined,
          amount: Math.min(requestsPerTimedRun, plan.load.maxRequests ?? Infinity),
          maxRequests: undefined,
        }
      : plan.load;
  const spec = (bodies: readonly Body[]): LoadSpec => ({
    ...load,
    url: `${target.url}${plan.path}`,
    connections: plan.meta.connections,
    bodies,
  });
  const settle = async () => {
    await target.idle?.();
    await plan.reset?.();
  };
  if (plan.warmup) {
    await settle();
    const { amount, durationS } = plan.warmup;
    await runLoad({ ...spec(plan.bodies()), amount, durationS, maxRequests: undefined });
  }
  await settle();
  const before = await target.workerCounts?.();
  const { result, cpuPerRequest } = await withCpu(target.underTest, ctx.redis, () => runLoad(spec(plan.bodies())));
  await target.idle?.();
  const after = await target.workerCounts?.();

  const { round } = plan.meta;
  const meta =
    round && ctx.settings.rounds > 1 ? { ...plan.meta, label: `${plan.meta.label}, round ${round}` } : plan.meta;
  const run = toRun(meta, result, cpuPerRequest);
  if (before && after) {
    run.work = subtractCounts(after, before);
    if (run.work.jobsFailed > 0) run.problems.push(`${run.work.jobsFailed} jobs failed`);
  }
  if (plan.applicantsPerRequest) run.applicantsPerRequest = plan.applicantsPerRequest;
  run.problems.push(...(plan.problems?.(result) ?? []));
  ctx.onRun(run);
  return run;
}
