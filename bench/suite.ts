import { ApplicantSupply, DISTINCT_APPLICANTS } from './applicants.js';
import type { BenchContext } from './context.js';
import type { MemoryResult, RunResult } from './results.js';
import { expressZodBaseline, floorBaseline, queueFloorBaseline } from './scenarios/baselines.js';
import { runBatchMisses } from './scenarios/batch-misses.js';
import { primeHitPool, runBatchHits, runHits, runSingles } from './scenarios/hits.js';
import { measureMemory } from './scenarios/memory.js';
import { runMisses } from './scenarios/misses.js';
import { runMix } from './scenarios/mix.js';
import { runPoll } from './scenarios/poll.js';
import { runPortfolio, type PortfolioResult } from './scenarios/portfolio.js';
import { runStorms } from './scenarios/storm.js';
import { ServiceStack } from './service.js';

export interface SuiteOutcome {
  runs: RunResult[];
  memory?: MemoryResult;
  portfolio?: PortfolioResult;
  /** Steps that threw and processes that crashed; run problems are listed on the runs themselves. */
  failures: string[];
}

/**
 * The scenarios that share one service (1 worker) and its cached hit pool. Applicants 0 .. hitPool - 1
 * are the pool; each scenario that needs never-seen applicants gets a range of its own after it.
 */
async function hitStackScenarios(
  ctx: BenchContext,
  step: (name: string, work: () => Promise<unknown>) => Promise<void>,
  record: (work: Promise<RunResult | RunResult[]>) => Promise<unknown>,
  outcome: SuiteOutcome,
): Promise<void> {
  const { settings } = ctx;
  const storms = new ApplicantSupply(settings.hitPool, settings.hitPool + settings.stormRounds);
  const polls = new ApplicantSupply(
    settings.hitPool + settings.stormRounds,
    settings.hitPool + settings.stormRounds + settings.pollJobs,
  );
  const mix = new ApplicantSupply(settings.hitPool + settings.stormRounds + settings.pollJobs, DISTINCT_APPLICANTS);
  const stack = await ServiceStack.start(ctx, { name: 'hits', workers: 1 });
  try {
    const modelVersion = await primeHitPool(ctx, stack);
    await step('hits', () => record(runHits(ctx, stack)));
    await step('single hits', () => record(runSingles(ctx, stack)));
    await step('batch hits', () => record(runBatchHits(ctx, stack)));
    await step('mix', () => record(runMix(ctx, stack, mix)));
    await step('storm', () => record(runStorms(ctx, stack, storms)));
    await step('poll', () => record(runPoll(ctx, stack, polls)));
    await step('memory', async () => {
      outcome.memory = await measureMemory(ctx, stack, modelVersion);
    });
  } finally {
    await stack.stop();
  }
}

/**
 * Every baseline and scenario, in an order that keeps each comparison close in time: the hit
 * baselines, then the hits; the queue floor, then the misses. A step that fails is recorded and
 * the rest still run, so one broken scenario does not hide the others' figures.
 */
export async function runSuite(ctx: BenchContext): Promise<SuiteOutcome> {
  const outcome: SuiteOutcome = { runs: [], failures: [] };
  let crashesSeen = 0;
  const step = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      outcome.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { crashes } = ctx.supervisor;
    outcome.failures.push(...crashes.slice(crashesSeen).map((crash) => `${name}: ${crash}`));
    crashesSeen = crashes.length;
  };
  const record = async (work: Promise<RunResult | RunResult[]>) => outcome.runs.push(...[await work].flat());

  await step('baseline a (floor)', () => record(floorBaseline(ctx)));
  await step('baseline b (Express + zod)', () => record(expressZodBaseline(ctx)));
  await step('service with a cached pool', () => hitStackScenarios(ctx, step, record, outcome));

  for (const sequential of [true, false]) {
    await step(`baseline c (queue floor, ${sequential ? 'sequential' : 'saturated'})`, () =>
      record(queueFloorBaseline(ctx, sequential)),
    );
  }
  for (const workers of [1, 2]) {
    for (const sequential of [true, false]) {
      await step(`misses, ${workers} worker(s)`, () => record(runMisses(ctx, { workers, sequential })));
    }
  }
  // What batching before the queue is worth: the same run with gathering off (unless the whole bench runs so).
  if (ctx.settings.serviceEnv.MISS_BATCH_WAIT_MS !== '0') {
    await step('misses, batching off', () =>
      record(runMisses(ctx, { workers: 1, sequential: false, env: { MISS_BATCH_WAIT_MS: '0' } })),
    );
  }
  await step('batch misses', () => record(runBatchMisses(ctx)));
  await step('portfolio', async () => {
    outcome.portfolio = await runPortfolio(ctx);
  });
  return outcome;
}
