import type { BenchContext } from '../context.js';
import type { RunResult } from '../results.js';
import { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';
import { missPlan, wholeSupply } from './plans.js';

export interface MissRunOptions {
  workers: number;
  sequential: boolean;
  /** Settings of this run's service only, e.g. MISS_BATCH_WAIT_MS=0; they show in its id and label. */
  env?: Record<string, string>;
}

/**
 * Never-seen applicants on POST /scores, against a service started for this run alone: a fresh
 * namespace, so all 20,600 distinct applicants are new to it.
 */
export async function runMisses(ctx: BenchContext, options: MissRunOptions): Promise<RunResult> {
  const { workers, sequential, env } = options;
  const mode = sequential ? 'sequential' : 'saturated';
  const extra = env ? Object.entries(env).map(([name, value]) => `${name}=${value}`) : [];
  const named = {
    id: [`miss-${mode}-${workers}w`, ...extra.map((setting) => setting.toLowerCase().replace(/[^a-z0-9]+/g, '-'))].join(
      '-',
    ),
    label: `Miss, ${mode}, ${workers} worker${workers > 1 ? 's' : ''}${extra.length ? `, ${extra.join(' ')}` : ''}`,
    group: 'miss' as const,
  };
  const stack = await ServiceStack.start(ctx, { name: named.id, workers, ...(env ? { env } : {}) });
  try {
    const run = await measuredRun(ctx, stack, missPlan(ctx.settings, named, '/scores', sequential, wholeSupply()));
    if (env) run.env = env;
    return run;
  } finally {
    await stack.stop();
  }
}
