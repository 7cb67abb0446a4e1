import type { BenchContext } from '../context.js';
import type { RunResult } from '../results.js';
import { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';
import { missPlan } from './plans.js';

export interface MissServiceOptions {
  workers: number;
  /** Settings of this service only, e.g. MISS_BATCH_WAIT_MS=0; they show in its runs' ids and labels. */
  env?: Record<string, string>;
}

/**
 * The service the miss runs of every round go to, started once: its processes stay warm between
 * rounds, and before each run it forgets every answer (missPlan), so all 3,600 distinct applicants
 * are new to it each time.
 */
export function startMissService(ctx: BenchContext, options: MissServiceOptions): Promise<ServiceStack> {
  const { workers, env } = options;
  return ServiceStack.start(ctx, { name: `miss-${workers}w${env ? '-env' : ''}`, workers, ...(env ? { env } : {}) });
}

/** Never-seen applicants on POST /scores, one connection or saturated, every answer a real miss. */
export async function runMisses(
  ctx: BenchContext,
  stack: ServiceStack,
  options: MissServiceOptions & { sequential: boolean; round: number },
): Promise<RunResult> {
  const { workers, sequential, env, round } = options;
  const mode = sequential ? 'sequential' : 'saturated';
  const extra = env ? Object.entries(env).map(([name, value]) => `${name}=${value}`) : [];
  const named = {
    id: [`miss-${mode}-${workers}w`, ...extra.map((setting) => setting.toLowerCase().replace(/[^a-z0-9]+/g, '-'))].join(
      '-',
    ),
    label: `Miss, ${mode}, ${workers} worker${workers > 1 ? 's' : ''}${extra.length ? `, ${extra.join(' ')}` : ''}`,
    group: 'miss' as const,
    round,
  };
  const run = await measuredRun(
    ctx,
    stack,
    missPlan(ctx.settings, named, '/scores', sequential, () => stack.forgetAnswers()),
  );
  if (env) run.env = env;
  return run;
}
