import { batchBody } from '../applicants.js';
import type { BenchContext } from '../context.js';
import { integer } from '../report/format.js';
import { PREFER_LONG_WAIT } from '../http.js';
import type { RunResult } from '../results.js';
import { ServiceStack } from '../service.js';
import { measuredRun } from './measured-run.js';
import { wholeSupply } from './plans.js';

/**
 * Batches of `batchSize` never-seen applicants, one after another, each batch new, against a
 * service of its own; latency is a batch's wall time. A namespace has 3,600 distinct applicants, so
 * `batchMissRepeats` × `batchSize` must stay within them (take() throws otherwise).
 */
export async function runBatchMisses(ctx: BenchContext): Promise<RunResult> {
  const { settings } = ctx;
  let supply = wholeSupply();
  const nextBatch = () => {
    const { from, count } = supply.take(settings.batchSize);
    return batchBody(from, count);
  };
  const stack = await ServiceStack.start(ctx, { name: 'batch-misses', workers: 1 });
  try {
    return await measuredRun(ctx, stack, {
      meta: {
        id: 'batch-misses',
        label: `Batch of ${integer(settings.batchSize)} misses`,
        group: 'batch',
        connections: 1,
      },
      path: '/scores/batch',
      load: { amount: settings.batchMissRepeats, headers: PREFER_LONG_WAIT, expectedStatus: 200, timeoutS: 60 },
      // A fresh supply for the warm-up and for the measured run: the service forgets its answers before each.
      bodies: () => {
        supply = wholeSupply();
        return [nextBatch];
      },
      reset: () => stack.forgetAnswers(),
      ...(settings.warmupMisses > 0 ? { warmup: { amount: 1 } } : {}),
      applicantsPerRequest: settings.batchSize,
    });
  } finally {
    await stack.stop();
  }
}
