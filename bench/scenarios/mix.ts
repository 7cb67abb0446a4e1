import { poolBodies, type ApplicantSupply } from '../applicants.js';
import type { BenchContext } from '../context.js';
import type { RunResult } from '../results.js';
import type { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';

const HITS_PER_MISS = 9;

/**
 * Nine requests from the cached pool, then one never-seen applicant from `supply`, on POST /scores;
 * the pool must be primed. Bounded by the supply like the miss runs.
 */
export function runMix(ctx: BenchContext, stack: ServiceStack, supply: ApplicantSupply): Promise<RunResult> {
  const { settings } = ctx;
  const perCycle = HITS_PER_MISS + 1;
  // Fixed hit bodies with a generated miss after every nine: the hits stay cheap for the load generator.
  const bodies = () =>
    poolBodies(settings.hitPool).flatMap((hit, i) => ((i + 1) % HITS_PER_MISS === 0 ? [hit, supply.body] : [hit]));
  return measuredRun(ctx, stack, {
    meta: { id: 'mix-90-10', label: 'Mix, 90 % hit / 10 % miss', group: 'mix', connections: settings.connections },
    path: '/scores',
    load: {
      durationS: settings.saturatedS,
      maxRequests: (supply.remaining - settings.warmupMisses - 2 * settings.connections) * perCycle,
      expectedStatus: 200,
    },
    bodies,
    ...(settings.warmupMisses > 0 ? { warmup: { amount: settings.warmupMisses * perCycle } } : {}),
    problems: () => (supply.overdrawn > 0 ? [`ran out of never-seen applicants (${supply.overdrawn} short)`] : []),
  });
}
