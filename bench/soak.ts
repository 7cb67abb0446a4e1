/**
 * `npm run soak [-- --short] [-- --out DIR]`: starts the built service (gateway + 1 worker) on a free
 * port under a namespace of its own in the Redis at REDIS_URL (redis://127.0.0.1:6379), sends a
 * steady mix of hits, misses, synchronous batches and asynchronous jobs with polls, and samples RSS,
 * Redis keys and answers every few seconds. Writes soak-<mode>.json (full runs: bench/results/;
 * short runs: a temporary directory, or DIR) and prints a Markdown summary. Exits 1 on any 5xx,
 * connection error, unexpected status or failed job, RSS that grew, or keys above their bound.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCORE_QUEUE } from '../shared/queues.js';
import type { BenchContext } from './context.js';
import { machineInfo } from './machine.js';
import type { WorkerCounts } from './model-runs.js';
import { sleep } from './processes.js';
import { QueueCounts } from './queue-counts.js';
import { primeHitPool } from './scenarios/hits.js';
import { ServiceStack } from './service.js';
import { parseSessionArgs, runCommand, Session } from './session.js';
import { FULL as BENCH_FULL, serviceEnvFrom } from './settings.js';
import { AnswerCounts } from './soak/answer-counts.js';
import { ApplicantTraffic } from './soak/applicant-traffic.js';
import { readCacheLookups } from './soak/cache-lookups.js';
import { KeyCensus } from './soak/key-census.js';
import { scanLogs } from './soak/log-trouble.js';
import { Sampler, WRITE_SLACK_S, type Sample } from './soak/sampler.js';
import { FULL, SHORT, type SoakSettings } from './soak/settings.js';
import { soakSummary, type SoakReport } from './soak/summary.js';
import { runTraffic, type TrafficResult } from './soak/traffic.js';
import { judge } from './soak/verdict.js';

const USAGE = 'usage: node dist/bench/soak.js [--short] [--out DIR]';
/** The service settings of a soak: answers and jobs expire within the run, all at their TTL. */
function soakServiceEnv(settings: SoakSettings): Record<string, string> {
  return {
    CACHE_TTL_SECONDS: String(settings.ttlS),
    JOB_RETENTION_SECONDS: String(settings.ttlS),
    CACHE_TTL_JITTER_SECONDS: '0',
    // One load generator sends all the misses: the per-client limit would answer 429.
    RATE_LIMIT_MISSES: '0',
    RATE_LIMIT_WRITES: '0',
  };
}

interface SoakRun extends Omit<SoakReport, 'startedAt' | 'durationS' | 'machine' | 'verdict'> {
  modelVersion: string;
  namespace: { cachePrefix: string; queuePrefix: string };
  traffic: TrafficResult;
  work: WorkerCounts;
  samples: Sample[];
  keysLeft: number;
}

interface Probes {
  stack: ServiceStack;
  queue: QueueCounts;
  census: KeyCensus;
}

/** The load, with a sample every few seconds and one when it ends. */
async function loadAndSample(settings: SoakSettings, { stack, queue, census }: Probes) {
  const counts = new AnswerCounts();
  const applicants = new ApplicantTraffic(settings.warmSet);
  applicants.warmSetSentNow();
  const batchesSubmitted: number[] = [];
  // ServiceStack starts the gateway first, then the worker.
  const [gatewayPid = -1, workerPid = -1] = stack.underTest.serverPids;
  const loadStartedMs = performance.now();
  const sampler = new Sampler({
    ...{ stack, gatewayPid, workerPid, census, queue, applicants, counts, batchesSubmitted },
    ttlS: settings.ttlS,
    loadStartedMs,
  });
  let loadOver = false;
  const load = runTraffic(
    { baseUrl: stack.url, settings, applicants, counts, batchesSubmitted },
    settings.warmupS + settings.soakS,
  ).finally(() => (loadOver = true));
  const samples: Sample[] = [];
  for (let k = 0; ; k++) {
    const atS = k * settings.sampleEveryS;
    await Promise.race([sleep(loadStartedMs + atS * 1000 - performance.now()), load]);
    if (loadOver) break;
    samples.push(await sampler.take(atS < settings.warmupS ? 'warm-up' : 'soak'));
  }
  const traffic = await load;
  samples.push(await sampler.take('soak'));
  return { traffic, samples, answers: counts.snapshot() };
}

/** Starts the stack, primes the warm set, loads and samples it, stops it and checks its keys are gone. */
async function soak(ctx: BenchContext, settings: SoakSettings): Promise<SoakRun> {
  const serviceEnv = { ...ctx.settings.serviceEnv, ...soakServiceEnv(settings) };
  const stack = await ServiceStack.start(ctx, { name: 'soak', workers: 1, env: serviceEnv });
  const queue = new QueueCounts(ctx.redis.client, SCORE_QUEUE, stack.namespace.queuePrefix);
  let census: KeyCensus;
  let run: Omit<SoakRun, 'keysLeft'>;
  try {
    const modelVersion = await primeHitPool(ctx, stack);
    census = new KeyCensus(ctx.redis, stack.namespace, modelVersion);
    const measured = await loadAndSample(settings, { stack, queue, census });
    const cache = await readCacheLookups(stack.url, stack.env.ADMIN_USER!, stack.env.ADMIN_PASSWORD!);
    const work = await stack.workerCounts();
    run = { ...measured, settings, serviceEnv, modelVersion, namespace: stack.namespace, cache, work };
  } finally {
    await queue.close();
    // Stops the processes (SIGTERM, they drain), then deletes every key of the namespace.
    await stack.stop();
  }
  return { ...run, keysLeft: (await census.count()).total };
}

async function main(): Promise<number> {
  const args = parseSessionArgs(process.argv.slice(2), 'short', USAGE);
  const settings = args.quick ? SHORT : FULL;
  const session = await Session.open(`soak-${settings.mode}`);
  const { redis, supervisor, logDir } = session;
  const redisVersion = await redis.version();
  const startedAt = new Date();
  const started = performance.now();
  console.log(
    `${settings.mode} soak against ${session.redisUrl}, keys under ${redis.runTag}*; process logs in ${logDir}`,
  );

  let run: SoakRun;
  try {
    // ServiceStack and primeHitPool read only the service settings and the pool size of the bench's settings.
    const benchSettings = { ...BENCH_FULL, hitPool: settings.warmSet, serviceEnv: serviceEnvFrom(process.env) };
    run = await soak({ settings: benchSettings, redis, supervisor, onRun: () => undefined }, settings);
  } catch (error) {
    // A process that died takes the sampler down with it: say which, and why.
    for (const crash of supervisor.crashes) console.error(`crash: ${crash}`);
    throw error;
  } finally {
    await session.closeRedis();
  }
  const verdict = judge({
    ...run,
    mishaps: run.samples.at(-1)!.mishaps,
    workerJobsFailed: run.work.jobsFailed,
    crashes: supervisor.crashes,
    logTrouble: await scanLogs(logDir),
  });
  const report = {
    startedAt: startedAt.toISOString(),
    durationS: (performance.now() - started) / 1000,
    machine: machineInfo(redisVersion),
    writeSlackS: WRITE_SLACK_S,
    ...run,
    verdict,
  };
  const outDir = session.outDir(args);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `soak-${settings.mode}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${soakSummary(report)}\n\n${file}`);
  return session.finish(verdict.failures.length > 0, outDir);
}

runCommand(main);
