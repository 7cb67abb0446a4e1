import { FLOOR_QUEUE } from '../baselines/baseline-config.js';
import { floorHash } from '../baselines/floor-score.js';
import type { Namespace } from '../bench-redis.js';
import type { BenchContext } from '../context.js';
import { answersOk, freePort, waitUntil, type Child } from '../processes.js';
import { QueueCounts } from '../queue-counts.js';
import type { RunResult } from '../results.js';
import type { Target } from '../target.js';
import { measuredRun, type RunPlan } from './measured-run.js';
import { hitPlan, missPlan } from './plans.js';

/** Every baseline serves the path the service's full answer comes from, so request lines match byte for byte. */
const PATH = '/scores';

interface Baseline extends Target {
  stop: () => Promise<void>;
}

/** Starts a baseline's processes (the first one serves HTTP) in a namespace of its own and waits until it answers. */
async function startBaseline(
  ctx: BenchContext,
  namespace: Namespace,
  scripts: readonly string[],
  queue?: QueueCounts,
): Promise<Baseline> {
  const port = await freePort();
  const env = {
    PORT: String(port),
    REDIS_URL: ctx.redis.url,
    FLOOR_KEY: floorKey(namespace),
    QUEUE_PREFIX: namespace.queuePrefix,
    // The queue floor's worker runs as many jobs at once as the service's workers do.
    ...(ctx.settings.serviceEnv.WORKER_CONCURRENCY
      ? { WORKER_CONCURRENCY: ctx.settings.serviceEnv.WORKER_CONCURRENCY }
      : {}),
  };
  const children: Child[] = scripts.map((script) =>
    ctx.supervisor.startNode(
      `${script.replace(/\.js$/, '')}-${namespace.cachePrefix}`,
      `bench/baselines/${script}`,
      env,
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await Promise.all(children.map((child) => child.stop()));
    await queue?.close();
    await ctx.redis.deleteNamespace(namespace);
  };
  try {
    await waitUntil(`${scripts[0]} /healthz`, () => answersOk(`${url}/healthz`), children);
    if (queue) await waitUntil('queue floor worker', async () => (await queue.workerCount()) >= 1, children);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    underTest: { serverPids: children.map((child) => child.pid) },
    ...(queue ? { idle: () => queue.idle() } : {}),
    stop,
  };
}

function floorKey(namespace: Namespace): string {
  return `${namespace.cachePrefix}:floor`;
}

async function hitBaseline(
  ctx: BenchContext,
  script: string,
  named: { id: string; label: string; round: number },
): Promise<RunResult> {
  const namespace = ctx.redis.namespace();
  await ctx.redis.client.hset(floorKey(namespace), floorHash());
  const baseline = await startBaseline(ctx, namespace, [script]);
  try {
    return await measuredRun(ctx, baseline, hitPlan(ctx.settings, { ...named, group: 'baseline' }, PATH));
  } finally {
    await baseline.stop();
  }
}

/** (a) The floor: bare node:http + HGETALL. */
export function floorBaseline(ctx: BenchContext, round: number): Promise<RunResult> {
  return hitBaseline(ctx, 'bare-node.js', { id: 'floor', label: 'Baseline a: node:http + HGETALL', round });
}

/** (b) Express 5 + express.json() + zod + HGETALL. */
export function expressZodBaseline(ctx: BenchContext): Promise<RunResult> {
  return hitBaseline(ctx, 'express-zod.js', {
    id: 'express-zod',
    label: 'Baseline b: Express 5 + zod + HGETALL',
    round: 1,
  });
}

/**
 * (c) One BullMQ job per request, no-op worker, result awaited: sequential (latency) and saturated
 * (throughput), with the very bodies and load settings of the service's miss runs. A `variant`
 * renames the run and changes its load (the paced runs).
 */
export async function queueFloorBaseline(
  ctx: BenchContext,
  sequential: boolean,
  round: number,
  variant?: { id: string; label: string; pace: (plan: RunPlan) => RunPlan },
): Promise<RunResult> {
  const mode = sequential ? 'sequential' : 'saturated';
  const namespace = ctx.redis.namespace();
  const queue = new QueueCounts(ctx.redis.client, FLOOR_QUEUE, namespace.queuePrefix);
  const baseline = await startBaseline(ctx, namespace, ['queue-floor-server.js', 'queue-floor-worker.js'], queue);
  try {
    const named = {
      id: variant?.id ?? `queue-floor-${mode}`,
      label: variant?.label ?? `Baseline c: queue floor, ${mode}`,
      group: 'baseline' as const,
      round,
    };
    const plan = missPlan(ctx.settings, named, PATH, sequential);
    return await measuredRun(ctx, baseline, variant ? variant.pace(plan) : plan);
  } finally {
    await baseline.stop();
  }
}
