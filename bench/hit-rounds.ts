import type { BenchContext } from './context.js';
import { ratio, spread } from './report/format.js';
import { computeRatios } from './report/ratios.js';
import type { RunResult } from './results.js';
import { floorBaseline } from './scenarios/baselines.js';
import { HIT_TARGET_ENDPOINT, primeHitPool, runBatchHits, runHits, runSingles } from './scenarios/hits.js';
import { ServiceStack } from './service.js';

/** The targets the hit rounds measure: batch of hits ÷ single hits (4), hits ÷ the node:http floor (7). */
const HIT_TARGETS = [4, 7];

/**
 * `npm run bench -- --hits`: only the rounds of the full bench that targets 4 and 7 are judged on
 * (baseline a, hits on /scores, 1,000 single hits, the batch of 1,000 hits), with the same settings,
 * for a quick look at the hit path; the full bench is unchanged. Returns the runs and the targets' lines.
 */
export async function runHitRounds(ctx: BenchContext): Promise<{ runs: RunResult[]; targets: string[] }> {
  const runs: RunResult[] = [];
  const stack = await ServiceStack.start(ctx, { name: 'hits', workers: 1 });
  try {
    await primeHitPool(ctx, stack);
    for (let round = 1; round <= ctx.settings.rounds; round++) {
      runs.push(await floorBaseline(ctx, round));
      runs.push(...(await runHits(ctx, stack, round, [HIT_TARGET_ENDPOINT])));
      runs.push(await runSingles(ctx, stack, round));
      runs.push(await runBatchHits(ctx, stack, round));
    }
  } finally {
    await stack.stop();
  }
  const targets = computeRatios(runs, null)
    .filter((r) => HIT_TARGETS.includes(r.target))
    .map(
      (r) => `${r.target}  ${r.label}: ${ratio(r.value)} (${spread(r)}), goal ${r.goal}: ${r.met ? 'met' : 'MISSED'}`,
    );
  return { runs, targets };
}
