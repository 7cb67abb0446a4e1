import { applicantBody, type ApplicantSupply } from '../applicants.js';
import type { BenchContext } from '../context.js';
import type { RunResult } from '../results.js';
import type { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';

/**
 * `stormClients` connections send the same never-seen applicant at once, each round another one
 * from `supply`. The workers' model runs during the round are what the target counts; coalescing
 * makes that 1. None at all means the applicant was not new, and the scenario is broken; more than
 * one means coalescing failed. Either is a problem of the run, which fails the bench.
 */
export async function runStorms(ctx: BenchContext, stack: ServiceStack, supply: ApplicantSupply): Promise<RunResult[]> {
  const { settings } = ctx;
  const runs: RunResult[] = [];
  for (let round = 1; round <= settings.stormRounds; round++) {
    const body = applicantBody(supply.take(1).from);
    const run = await measuredRun(ctx, stack, {
      meta: {
        id: `storm-${round}`,
        label: `Storm of ${settings.stormClients}, round ${round}`,
        group: 'storm',
        connections: settings.stormClients,
      },
      path: '/scores',
      load: { amount: settings.stormClients, expectedStatus: 200 },
      bodies: () => [body],
    });
    const modelRuns = run.work?.modelRuns;
    if (modelRuns === 0) run.problems.push('no model run: the applicant was already cached');
    if (modelRuns !== undefined && modelRuns > 1) {
      run.problems.push(`${modelRuns} model runs for one applicant: identical concurrent misses were not coalesced`);
    }
    runs.push(run);
  }
  return runs;
}
