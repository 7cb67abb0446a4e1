import type { BenchContext } from '../context.js';
import type { RunResult } from '../results.js';
import { ServiceStack } from '../service.js';
import { queueFloorBaseline } from './baselines.js';
import { measuredRun, type RunPlan } from './measured-run.js';
import { missPlan } from './plans.js';

/** Connections of a paced run: enough that a slow answer never holds the rate back. */
const PACED_CONNECTIONS = 8;

/**
 * A light, steady load: `pacedRate` never-seen applicants per second for `pacedS`, against the
 * queue floor or the service (1 gateway, 1 worker). `ctx.redis` should be the bench's private Redis,
 * so the run's Redis commands per request are its own.
 */
function pacedSettings(ctx: BenchContext): BenchContext {
  const { settings } = ctx;
  return {
    ...ctx,
    // missPlan reads the saturated settings: here they mean the paced connections and duration.
    settings: { ...settings, connections: PACED_CONNECTIONS, saturatedS: settings.pacedS },
  };
}

/** Paces a plan's warm-up and measured run; a warm-up of 2 s at the rate is enough once the JIT has the miss path. */
function paced(ctx: BenchContext, plan: RunPlan): RunPlan {
  const { pacedRate } = ctx.settings;
  return {
    ...plan,
    load: { ...plan.load, pacedRate },
    ...(plan.warmup ? { warmup: { amount: 2 * pacedRate } } : {}),
  };
}

/** The queue floor at the paced rate: its Redis commands and CPU per job are what a miss is held against. */
export function runPacedQueueFloor(ctx: BenchContext, round: number): Promise<RunResult> {
  return queueFloorBaseline(pacedSettings(ctx), false, round, {
    id: 'paced-queue-floor',
    label: `Baseline c: queue floor at ${ctx.settings.pacedRate}/s`,
    pace: (plan) => paced(ctx, plan),
  });
}

/** The service at the paced rate, on a stack of its own (so nothing else it runs shares the Redis). */
export async function runPacedMisses(ctx: BenchContext, round: number): Promise<RunResult> {
  const pacedCtx = pacedSettings(ctx);
  const stack = await ServiceStack.start(pacedCtx, { name: 'paced', workers: 1 });
  try {
    const named = {
      id: 'paced-misses',
      label: `Misses at ${ctx.settings.pacedRate}/s, 1 worker`,
      group: 'paced' as const,
      round,
    };
    const plan = missPlan(pacedCtx.settings, named, '/scores', false, () => stack.forgetAnswers());
    return await measuredRun(pacedCtx, stack, paced(ctx, plan));
  } finally {
    await stack.stop();
  }
}
