import { ApplicantSupply, DISTINCT_APPLICANTS } from './applicants.js';
import type { BenchContext } from './context.js';
import { PrivateRedis } from './private-redis.js';
import type { MemoryResult, RunResult } from './results.js';
import { expressZodBaseline, floorBaseline, queueFloorBaseline } from './scenarios/baselines.js';
import { runBatchMisses } from './scenarios/batch-misses.js';
import {
  HIT_ENDPOINTS,
  HIT_TARGET_ENDPOINT,
  primeHitPool,
  runBatchHits,
  runHits,
  runSingles,
} from './scenarios/hits.js';
import { measureMemory } from './scenarios/memory.js';
import { runMisses, startMissService } from './scenarios/misses.js';
import { runMix } from './scenarios/mix.js';
import { runPacedMisses, runPacedQueueFloor } from './scenarios/paced.js';
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

type Step = (name: string, work: () => Promise<unknown>) => Promise<void>;
type Record = (work: Promise<RunResult | RunResult[]>) => Promise<unknown>;

const rounds = (ctx: BenchContext) => Array.from({ length: ctx.settings.rounds }, (_, i) => i + 1);

/**
 * The scenarios that share one service (1 worker) and its cached hit pool. Applicants 0 .. hitPool - 1
 * are the pool; each scenario that needs never-seen applicants gets a range of its own after it.
 * Each round runs baseline a, then the hit runs the targets divide by it (hits on /scores, single
 * hits, batch of hits); the other endpoints and scenarios run once.
 */
async function hitStackScenarios(ctx: BenchContext, step: Step, record: Record, outcome: SuiteOutcome): Promise<void> {
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
    for (const round of rounds(ctx)) {
      await step(`baseline a (floor), round ${round}`, () => record(floorBaseline(ctx, round)));
      await step(`hits, round ${round}`, () => record(runHits(ctx, stack, round, [HIT_TARGET_ENDPOINT])));
      await step(`single hits, round ${round}`, () => record(runSingles(ctx, stack, round)));
      await step(`batch hits, round ${round}`, () => record(runBatchHits(ctx, stack, round)));
    }
    const others = HIT_ENDPOINTS.filter((path) => path !== HIT_TARGET_ENDPOINT);
    await step('hits, other endpoints', () => record(runHits(ctx, stack, 1, others)));
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
 * Each round: the queue floor, then the service's miss runs of the same shape (1 and 2 workers),
 * sequential then saturated. The two services start once and forget their answers before each run.
 */
async function missRounds(ctx: BenchContext, step: Step, record: Record): Promise<void> {
  const services = new Map<number, ServiceStack>();
  try {
    for (const workers of [1, 2]) services.set(workers, await startMissService(ctx, { workers }));
    for (const round of rounds(ctx)) {
      for (const sequential of [true, false]) {
        const mode = sequential ? 'sequential' : 'saturated';
        await step(`baseline c (queue floor, ${mode}), round ${round}`, () =>
          record(queueFloorBaseline(ctx, sequential, round)),
        );
        for (const [workers, stack] of services) {
          await step(`misses, ${mode}, ${workers} worker(s), round ${round}`, () =>
            record(runMisses(ctx, stack, { workers, sequential, round })),
          );
        }
      }
    }
  } finally {
    await Promise.all([...services.values()].map((stack) => stack.stop()));
  }
}

/** Each round: the queue floor, then the service, both at the paced rate on the bench's private Redis. */
async function pacedRounds(ctx: BenchContext, step: Step, record: Record): Promise<void> {
  const own = await PrivateRedis.start(ctx.supervisor);
  try {
    const pacedCtx = { ...ctx, redis: own.redis };
    for (const round of rounds(ctx)) {
      await step(`paced queue floor, round ${round}`, () => record(runPacedQueueFloor(pacedCtx, round)));
      await step(`paced misses, round ${round}`, () => record(runPacedMisses(pacedCtx, round)));
    }
  } finally {
    await own.stop();
  }
}

/** A suite's step and record functions, both feeding `outcome`. */
function recorder(ctx: BenchContext, outcome: SuiteOutcome): { step: Step; record: Record } {
  let crashesSeen = 0;
  const step: Step = async (name, work) => {
    try {
      await work();
    } catch (error) {
      outcome.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { crashes } = ctx.supervisor;
    outcome.failures.push(...crashes.slice(crashesSeen).map((crash) => `${name}: ${crash}`));
    crashesSeen = crashes.length;
  };
  const record: Record = async (work) => outcome.runs.push(...[await work].flat());
  return { step, record };
}

/**
 * Only the queue-floor-relative miss targets (issue 12 rows 1, 2, 5 and 6): the miss rounds and the
 * paced rounds, interleaved as in the full suite. A quicker loop while working on the miss path;
 * the full suite is what a result is judged on.
 */
export async function runMissSuite(ctx: BenchContext): Promise<SuiteOutcome> {
  const outcome: SuiteOutcome = { runs: [], failures: [] };
  const { step, record } = recorder(ctx, outcome);
  await step('miss rounds', () => missRounds(ctx, step, record));
  await step('paced rounds', () => pacedRounds(ctx, step, record));
  return outcome;
}

/**
 * Every baseline and scenario, each baseline interleaved with the runs compared with it, round after
 * round. A step that fails is recorded and the rest still run, so one broken scenario does not hide
 * the others' figures.
 */
export async function runSuite(ctx: BenchContext): Promise<SuiteOutcome> {
  const outcome: SuiteOutcome = { runs: [], failures: [] };
  const { step, record } = recorder(ctx, outcome);

  await step('baseline b (Express + zod)', () => record(expressZodBaseline(ctx)));
  await step('service with a cached pool', () => hitStackScenarios(ctx, step, record, outcome));
  await step('miss rounds', () => missRounds(ctx, step, record));
  // What batching before the queue is worth: the same run with gathering off (unless the whole bench runs so).
  if (ctx.settings.serviceEnv.MISS_BATCH_WAIT_MS !== '0') {
    const env = { MISS_BATCH_WAIT_MS: '0' };
    await step('misses, batching off', async () => {
      const stack = await startMissService(ctx, { workers: 1, env });
      try {
        await record(runMisses(ctx, stack, { workers: 1, env, sequential: false, round: 1 }));
      } finally {
        await stack.stop();
      }
    });
  }
  await step('batch misses', () => record(runBatchMisses(ctx)));
  await step('paced rounds', () => pacedRounds(ctx, step, record));
  await step('portfolio', async () => {
    outcome.portfolio = await runPortfolio(ctx);
  });
  return outcome;
}
