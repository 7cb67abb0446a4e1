import { batchBody, poolBodies } from '../applicants.js';
import type { BenchContext } from '../context.js';
import { integer } from '../report/format.js';
import { PREFER_LONG_WAIT, requestJson } from '../http.js';
import type { RunResult } from '../results.js';
import type { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';
import { hitPlan } from './plans.js';

/** The three seed endpoints and the full answer: every single-applicant route a client can hit. */
export const HIT_ENDPOINTS = ['/decisions', '/probabilities', '/risk_categories', '/scores'] as const;

/**
 * Scores the hit pool (applicants 0 .. hitPool - 1) once through the service's own batch endpoint,
 * so it is cached; returns the model version the service answered with.
 */
export async function primeHitPool(ctx: BenchContext, stack: ServiceStack): Promise<string> {
  const answer = await requestJson(`${stack.url}/scores/batch`, {
    body: batchBody(0, ctx.settings.hitPool),
    headers: PREFER_LONG_WAIT,
  });
  if (answer.status !== 200) throw new Error(`priming the hit pool answered ${answer.status}`);
  await stack.idle();
  const version = answer.headers.get('x-model-version');
  if (!version) throw new Error('priming the hit pool: no X-Model-Version in the answer');
  return version;
}

/** A hit never runs the model; a model run during a hit run means the pool was not cached. */
function checkNoModelRuns(run: RunResult): RunResult {
  if (run.work?.modelRuns) run.problems.push(`${run.work.modelRuns} model runs during a hit-only run`);
  return run;
}

/** The endpoint the targets are judged on, measured in every round; the others once. */
export const HIT_TARGET_ENDPOINT = '/scores';

/** Saturated hits on the given single-applicant endpoints (all of them by default); the pool must be primed. */
export async function runHits(
  ctx: BenchContext,
  stack: ServiceStack,
  round: number,
  paths: readonly string[] = HIT_ENDPOINTS,
): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const path of paths) {
    const named = {
      id: `hit-${path.slice(1).replaceAll('_', '-')}`,
      label: `Hit ${path}`,
      group: 'hit' as const,
      round,
    };
    runs.push(checkNoModelRuns(await measuredRun(ctx, stack, hitPlan(ctx.settings, named, path))));
  }
  return runs;
}

/** `singles` hit requests on /scores at the saturated connection count: what one batch of as many is compared with. */
export async function runSingles(ctx: BenchContext, stack: ServiceStack, round: number): Promise<RunResult> {
  const { settings } = ctx;
  const run = await measuredRun(ctx, stack, {
    meta: {
      round,
      id: 'singles-hits',
      label: `${integer(settings.singles)} single hits`,
      group: 'batch',
      connections: settings.connections,
    },
    path: '/scores',
    load: { amount: settings.singles, expectedStatus: 200 },
    bodies: () => poolBodies(settings.hitPool),
    warmup: { amount: settings.singles },
  });
  return checkNoModelRuns(run);
}

/** One batch of `batchSize` cached applicants at a time; latency is the batch's wall time. */
export async function runBatchHits(ctx: BenchContext, stack: ServiceStack, round: number): Promise<RunResult> {
  const { settings } = ctx;
  const body = batchBody(0, settings.batchSize);
  const run = await measuredRun(ctx, stack, {
    meta: {
      id: 'batch-hits',
      label: `Batch of ${integer(settings.batchSize)} hits`,
      group: 'batch',
      connections: 1,
      round,
    },
    path: '/scores/batch',
    load: { amount: settings.batchHitRepeats, headers: PREFER_LONG_WAIT, expectedStatus: 200 },
    bodies: () => [body],
    warmup: { amount: settings.batchHitRepeats },
    applicantsPerRequest: settings.batchSize,
  });
  return checkNoModelRuns(run);
}
